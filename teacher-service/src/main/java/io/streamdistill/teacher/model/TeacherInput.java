package io.streamdistill.teacher.model;

import java.util.Map;

/**
 * One input to a teacher: text, a dense vector or a structured record of named fields, already
 * validated for the teacher (the service checks width, NaN and size before anything reaches a
 * model).
 *
 * @param text the text, or null
 * @param vector the dense vector, or null
 * @param fields the structured record, or null: field name to a {@link Double}, a {@link String} or
 *     null (missing)
 */
public record TeacherInput(String text, float[] vector, Map<String, Object> fields) {
  public TeacherInput(String text, float[] vector) {
    this(text, vector, null);
  }

  public static TeacherInput ofText(String text) {
    return new TeacherInput(text, null, null);
  }

  public static TeacherInput ofVector(float[] vector) {
    return new TeacherInput(null, vector, null);
  }

  public static TeacherInput ofFields(Map<String, Object> fields) {
    return new TeacherInput(null, null, fields);
  }
}
