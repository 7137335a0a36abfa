package io.streamdistill.student;

/**
 * An input that a student cannot read: no text for a text student, no vector or a vector of the
 * wrong width for a vector student, a value that is not a finite number. The message says which.
 */
public class InputMismatchException extends IllegalArgumentException {
  public InputMismatchException(String message) {
    super(message);
  }
}
