package io.streamdistill.edge;

/**
 * No student version is served yet (still reading the topic, or no valid version published); the
 * message says which. The service answers it with 503.
 */
public class NotServingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NotServingException(String message) {
    super(message);
  }
}
