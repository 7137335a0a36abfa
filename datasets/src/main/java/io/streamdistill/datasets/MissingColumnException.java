package io.streamdistill.datasets;

/**
 * A column the options name is not in the file: the file's columns are listed in the message. A
 * command reads it as a mistake in its arguments (exit code 2), not a failure while running.
 */
public class MissingColumnException extends DatasetException {
  private static final long serialVersionUID = 1L;

  public MissingColumnException(String message) {
    super(message);
  }
}
