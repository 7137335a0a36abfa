package io.streamdistill.student;

/** A version that must not be loaded; the message is the reason, fit for a deployment event. */
public class VerificationException extends Exception {
  public VerificationException(String message) {
    super(message);
  }

  public VerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
