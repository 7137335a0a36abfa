package io.streamdistill.edge;

import java.util.List;

/**
 * The answer to one request, and who gave it.
 *
 * @param label the answered class
 * @param classes class names, in the order of {@code probabilities}
 * @param probabilities the answering model's class probabilities
 * @param modelName the student's model line
 * @param modelVersion the student version that saw the request (also when the teacher answered)
 * @param answeredBy the student, or the teacher (when the student was unsure)
 * @param uncertain whether the student's top probability was below the cascade threshold
 * @param teacherAsked whether the teacher was asked
 * @param teacherFailure why the teacher's answer was not used ({@code timeout}, {@code unreachable}, {@code status
 *     500}, ...), or null
 * @param studentConfidence the student's top probability
 * @param micros time to answer, in microseconds
 */
public record EdgeAnswer(
    String label,
    List<String> classes,
    List<Double> probabilities,
    String modelName,
    long modelVersion,
    AnsweredBy answeredBy,
    boolean uncertain,
    boolean teacherAsked,
    String teacherFailure,
    double studentConfidence,
    long micros) {

  /** Who answered. */
  public enum AnsweredBy {
    STUDENT, TEACHER;

    /** The name in JSON answers and metrics. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public EdgeAnswer {
    classes = List.copyOf(classes);
    probabilities = List.copyOf(probabilities);
  }
}
