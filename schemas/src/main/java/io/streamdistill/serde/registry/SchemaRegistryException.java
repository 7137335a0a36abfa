package io.streamdistill.serde.registry;

/**
 * A schema registry refused or failed a request. Says which registry call, and carries the HTTP
 * status and Confluent error code where the registry gave them.
 */
public class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** HTTP status of the answer, or -1 when there was no answer. */
  private final int httpStatus;

  /** Confluent's error code from the answer's body (e.g. 40403), or -1. */
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int errorCode() {
    return errorCode;
  }
}
