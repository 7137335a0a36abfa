package io.streamdistill.stack;

/** The local stack could not start, or one of its processes failed. The message says which and why. */
public class LocalStackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LocalStackException(String message) {
    super(message);
  }

  public LocalStackException(String message, Throwable cause) {
    super(message, cause);
  }
}
