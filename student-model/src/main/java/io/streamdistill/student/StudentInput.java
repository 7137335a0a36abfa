package io.streamdistill.student;

import java.util.Map;

/**
 * What a student is asked about: a text, a dense vector, a structured record of named fields, or
 * more than one of them (each student reads the one its spec names).
 *
 * @param text the text, or null
 * @param vector the dense vector, or null
 * @param fields the structured record, or null: field name to a {@link Number}, a {@link String} or
 *     null (missing)
 */
public record StudentInput(String text, float[] vector, Map<String, ?> fields) {
  public StudentInput(String text, float[] vector) {
    this(text, vector, null);
  }

  public static StudentInput ofText(String text) {
    return new StudentInput(text, null, null);
  }

  public static StudentInput ofVector(float[] vector) {
    return new StudentInput(null, vector, null);
  }

  public static StudentInput ofFields(Map<String, ?> fields) {
    return new StudentInput(null, null, fields);
  }
}
