package io.streamdistill.teacher.streams;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an input event against what every teacher takes, before it reaches a batch: a bad event
 * is dead-lettered alone instead of failing the batch it would have been in. The HTTP endpoint
 * uses the same checks, so a request is refused for the same reasons as a stream event.
 */
public final class InputValidator {
  private InputValidator() {}

  /** Why the teachers cannot label this event, or empty when they can. */
  public static Optional<String> problem(InputEvent event, List<TeacherDescriptor> teachers) {
    for (TeacherDescriptor teacher : teachers) {
      Optional<String> problem = teacher.takesText() ? textProblem(event, teacher)
          : teacher.takesFields() ? fieldsProblem(event, teacher) : vectorProblem(event, teacher);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  /** The input a teacher gets from a valid event. */
  public static TeacherInput inputFor(InputEvent event, TeacherDescriptor teacher) {
    if (teacher.takesText()) {
      return TeacherInput.ofText(event.getText());
    }
    if (teacher.takesFields()) {
      return TeacherInput.ofFields(event.getStructured());
    }
    return TeacherInput.ofVector(AvroValues.floats(event.getVector()));
  }

  private static Optional<String> fieldsProblem(InputEvent event, TeacherDescriptor teacher) {
    Map<String, Object> fields = event.getStructured();
    if (fields == null || fields.isEmpty()) {
      return Optional.of("no structured fields: teacher " + teacher.id() + " takes a record of named fields");
    }
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      if (field.getValue() instanceof Double value && !Double.isFinite(value)) {
        return Optional.of("field '" + field.getKey() + "' is " + value + ": numeric fields must be finite");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> textProblem(InputEvent event, TeacherDescriptor teacher) {
    String text = event.getText();
    if (text == null) {
      return Optional.of("no text: teacher " + teacher.id() + " takes text");
    }
    if (text.isBlank()) {
      return Optional.of("empty text: teacher " + teacher.id() + " takes text");
    }
    return Optional.empty();
  }

  private static Optional<String> vectorProblem(InputEvent event, TeacherDescriptor teacher) {
    List<Float> vector = event.getVector();
    if (vector == null) {
      return Optional.of("no vector: teacher " + teacher.id() + " takes a vector of " + teacher.vectorWidth());
    }
    if (vector.size() != teacher.vectorWidth()) {
      return Optional.of("vector has " + vector.size() + " values, teacher " + teacher.id() + " expects "
          + teacher.vectorWidth());
    }
    int bad = AvroValues.firstNonFinite(vector);
    if (bad >= 0) {
      return Optional.of(Float.isNaN(vector.get(bad))
          ? "vector has NaN at index " + bad
          : "vector has an infinite value at index " + bad);
    }
    return Optional.empty();
  }
}
