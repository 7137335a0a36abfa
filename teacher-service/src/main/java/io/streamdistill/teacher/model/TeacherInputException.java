package io.streamdistill.teacher.model;

/**
 * An input the teacher cannot take (a record field that is not a number where one belongs, none of
 * the fields the teacher reads, a vector of the wrong width): the input's fault, not the model's.
 * The HTTP endpoints answer it with 400 and its message; the stream dead-letters the input alone,
 * as for any other {@link TeacherException} about one input.
 */
public class TeacherInputException extends TeacherException {
  private static final long serialVersionUID = 1L;

  public TeacherInputException(String message) {
    super(message);
  }

  public TeacherInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
