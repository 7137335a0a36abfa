package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamdistill.student.FieldSpec;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherInputException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a structured-record teacher reads a record, and what it says of one it cannot read. */
class InputFeaturesTest {
  /** a (mean 10, sd 2), proto {tcp, udp}. */
  private final InputFeatures features = InputFeatures.fields(new FieldSpec(
      List.of(new FieldSpec.NumericField("a", false, 10, 2)),
      List.of(new FieldSpec.CategoricalField("proto", List.of("tcp", "udp")))));

  @Test
  void shouldReadANumberWrittenAsAStringAsTheFileReaderDoes() {
    assertArrayEquals(new float[] {1.25f, 1, 0, 0}, features.apply(record("a", "12.5", "proto", "tcp")));
    assertArrayEquals(features.apply(record("a", 12.5, "proto", "tcp")), features.apply(record("a", "12.5",
        "proto", "tcp")));
  }

  @Test
  void shouldRefuseARecordItCannotReadAsTheInputsFaultWithoutNamingTheStudent() {
    TeacherInputException notANumber = assertThrows(TeacherInputException.class,
        () -> features.apply(record("a", "lots")));
    assertEquals("field 'a' is 'lots', not a number (a numeric field)", notANumber.getMessage());
    assertFalse(notANumber.getMessage().contains("student"), notANumber.getMessage());

    TeacherInputException noneOfTheFields = assertThrows(TeacherInputException.class,
        () -> features.apply(record("zzz", 1.0)));
    assertEquals("the record has none of the fields a, proto (it has zzz)", noneOfTheFields.getMessage());
  }

  private static TeacherInput record(Object... pairs) {
    Map<String, Object> fields = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      fields.put((String) pairs[i], pairs[i + 1]);
    }
    return TeacherInput.ofFields(fields);
  }
}
