package io.streamdistill.student;

/**
 * What a student is asked about: a text, a dense vector, or both (each student reads the one its
 * spec names).
 */
public record StudentInput(String text, float[] vector) {
  public static StudentInput ofText(String text) {
    return new StudentInput(text, null);
  }

  public static StudentInput ofVector(float[] vector) {
    return new StudentInput(null, vector);
  }
}
