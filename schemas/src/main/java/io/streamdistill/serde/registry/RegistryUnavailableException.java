package io.streamdistill.serde.registry;

/**
 * No registry could be reached, or the ones reached answered with a server error: retrying later
 * may succeed, unlike the other {@link SchemaRegistryException}s.
 */
public class RegistryUnavailableException extends SchemaRegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryUnavailableException(String message, int httpStatus, Throwable cause) {
    super(message, httpStatus, -1, cause);
  }
}
