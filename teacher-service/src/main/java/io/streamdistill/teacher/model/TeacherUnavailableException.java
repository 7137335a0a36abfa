package io.streamdistill.teacher.model;

/**
 * A teacher could not be asked at all (a remote teacher unreachable, timing out or refusing with
 * its circuit breaker open): not the input's fault. The service must neither dead-letter the batch
 * nor try its inputs one by one; it fails the batch, which stays in the store and is asked again after
 * a hold (the labeller's, with the input paused meanwhile).
 */
public class TeacherUnavailableException extends TeacherException {
  private static final long serialVersionUID = 1L;

  public TeacherUnavailableException(String message) {
    super(message);
  }

  public TeacherUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
