package io.streamdistill.student;

import static io.streamdistill.student.FieldSpecTest.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldFeaturizerTest {
  /** bytes (log, mean 2, sd 0.5), duration (mean 10, sd 4), proto {tcp, udp}, flag {SF}. */
  private final FieldFeaturizer featurizer = new FieldFeaturizer(StudentFixtures.tinyFields());

  @Test
  void shouldStandardiseNumericFieldsAndOneHotCategoricalOnes() {
    assertEquals(2 + 3 + 2, featurizer.width());
    float[] x = featurizer.featurize(record("bytes", Math.expm1(3.0), "duration", 18.0, "proto", "udp", "flag", "SF"));
    assertArrayEquals(new float[] {2f, 2f, 0, 1, 0, 1, 0}, x, 1e-6f, "(3 - 2) / 0.5, (18 - 10) / 4, udp, SF");
    assertArrayEquals(new float[] {-6f, -3f, 1, 0, 0, 1, 0},
        featurizer.featurize(record("bytes", -Math.expm1(1.0), "duration", -2, "proto", "tcp", "flag", "SF")),
        1e-6f, "a negative value keeps its sign: (-log1p(e - 1) - 2) / 0.5; an Integer is a number too");
  }

  @Test
  void shouldPutUnseenAndMissingCategoriesInTheLastSlot() {
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 1},
        featurizer.featurize(record("proto", "icmp", "flag", null)), "icmp unseen, flag null");
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 1}, featurizer.featurize(Map.of()),
        "every field absent: numeric at their mean, categorical unseen");
  }

  @Test
  void shouldIgnoreFieldsTheSpecDoesNotName() {
    assertArrayEquals(featurizer.featurize(record("proto", "tcp")),
        featurizer.featurize(record("proto", "tcp", "service", "http", "extra", 1e300)));
  }

  @Test
  void shouldTakeANumberAsTheCategoryOfItsWholeValue() {
    FieldFeaturizer ports = new FieldFeaturizer(new FieldSpec(List.of(),
        List.of(new FieldSpec.CategoricalField("port", List.of("80", "443", "0.5")))));
    assertArrayEquals(new float[] {0, 1, 0, 0}, ports.featurize(record("port", 443.0)));
    assertArrayEquals(new float[] {0, 1, 0, 0}, ports.featurize(record("port", 443)));
    assertArrayEquals(new float[] {0, 0, 1, 0}, ports.featurize(record("port", 0.5)));
  }

  @Test
  void shouldNameTheFieldOfAWrongOrNonFiniteValue() {
    assertMessage("field 'bytes' is 'many', the student reads a number", record("bytes", "many"));
    assertMessage("field 'duration' is NaN", record("duration", Double.NaN));
    assertMessage("field 'bytes' is Infinity", record("bytes", Double.POSITIVE_INFINITY));
    assertMessage("field 'proto' is a ArrayList", record("proto", new java.util.ArrayList<>(List.of(1))));
    assertMessage("field 'proto' is NaN", record("proto", Double.NaN));
    var e = assertThrows(InputMismatchException.class, () -> featurizer.featurize(null));
    assertTrue(e.getMessage().contains("record of named fields"), e.getMessage());
  }

  private void assertMessage(String expected, Map<String, ?> fields) {
    var e = assertThrows(InputMismatchException.class, () -> featurizer.featurize(fields));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
