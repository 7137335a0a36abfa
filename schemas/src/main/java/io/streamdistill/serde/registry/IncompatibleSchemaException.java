package io.streamdistill.serde.registry;

/**
 * The registry refused to register a schema because it is not compatible with the versions already
 * registered under the subject, under the subject's compatibility level (HTTP 409).
 */
public class IncompatibleSchemaException extends SchemaRegistryException {
  private static final long serialVersionUID = 1L;

  public IncompatibleSchemaException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode, null);
  }
}
