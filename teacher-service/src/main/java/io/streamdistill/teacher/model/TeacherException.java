package io.streamdistill.teacher.model;

/** A teacher could not be loaded (bad descriptor, hash mismatch, missing file) or failed to predict. */
public class TeacherException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TeacherException(String message) {
    super(message);
  }

  public TeacherException(String message, Throwable cause) {
    super(message, cause);
  }
}
