package io.streamdistill.edge.cascade;

import java.util.List;

/**
 * The teacher's answer to one request, or why there is none.
 *
 * @param label the teacher's class, or null when it failed
 * @param classes the teacher's class names, in the order of {@code probabilities}
 * @param probabilities the teacher's class probabilities (the mean over its ensemble)
 * @param failure null when answered, else a short reason: {@code timeout}, {@code unreachable},
 *     {@code status <code>}, {@code bad answer: ...} or {@code error: ...}
 */
public record TeacherReply(String label, List<String> classes, List<Double> probabilities, String failure) {
  public TeacherReply {
    classes = classes == null ? List.of() : List.copyOf(classes);
    probabilities = probabilities == null ? List.of() : List.copyOf(probabilities);
  }

  public static TeacherReply answered(String label, List<String> classes, List<Double> probabilities) {
    return new TeacherReply(label, classes, probabilities, null);
  }

  public static TeacherReply failed(String failure) {
    return new TeacherReply(null, null, null, failure);
  }

  public boolean isAnswered() {
    return failure == null;
  }
}
