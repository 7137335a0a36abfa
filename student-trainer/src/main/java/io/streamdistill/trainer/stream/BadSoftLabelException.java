package io.streamdistill.trainer.stream;

/** A soft label the student must not learn from; the message is the dead letter's reason. */
public class BadSoftLabelException extends Exception {
  public BadSoftLabelException(String message) {
    super(message);
  }
}
