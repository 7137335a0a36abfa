package io.streamdistill.teacher.model;

/**
 * One input to a teacher: text or a dense vector, already validated for the teacher (the service
 * checks width, NaN and size before anything reaches a model).
 */
public record TeacherInput(String text, float[] vector) {
  public static TeacherInput ofText(String text) {
    return new TeacherInput(text, null);
  }

  public static TeacherInput ofVector(float[] vector) {
    return new TeacherInput(null, vector);
  }
}
