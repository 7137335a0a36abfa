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
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0, 1}, featurizer.featurize(record("duration", 10.0)),
        "every other field absent: numeric at their mean, categorical unseen");
  }

  @Test
  void shouldCountAFieldsWordsInItsBucketsAtUnitLength() {
    FieldSpec spec = new FieldSpec(List.of(new FieldSpec.NumericField("price", false, 0, 1)), List.of(),
        List.of(new FieldSpec.TextField("title", 64)));
    FieldFeaturizer words = new FieldFeaturizer(spec);
    int[] ids = new NgramFeaturizer(spec.text().get(0).featurizer()).features("red shoe red");
    assertEquals(3, ids.length, "one id a word, no pairs and no characters");
    assertEquals(ids[0], ids[2], "the same word, the same bucket");

    float[] x = words.featurize(record("price", 2.0, "title", "Red shoe, RED!"));

    assertEquals(1 + 64, x.length);
    assertEquals(2f, x[0]);
    float[] block = new float[64];
    block[ids[1]] += 1 / (float) Math.sqrt(5); // red twice, shoe once: (2, 1) / sqrt(5)
    block[ids[0]] += 2 / (float) Math.sqrt(5);
    assertArrayEquals(block, java.util.Arrays.copyOfRange(x, 1, 65), 1e-6f);
    assertArrayEquals(new float[65], words.featurize(record("title", " ")), "blank: no word, the block 0");
    assertArrayEquals(new float[65], words.featurize(record("title", "...", "price", 0)), "no letter: no word");
    assertEquals(1f, words.featurize(record("title", 42))[1 + new NgramFeaturizer(spec.text().get(0).featurizer())
        .features("42")[0]], 1e-6f, "a number is its words as written");
    var e = assertThrows(InputMismatchException.class, () -> words.featurize(record("title", List.of("a"))));
    assertTrue(e.getMessage().startsWith("field 'title' is a ") && e.getMessage().endsWith("([a]), neither a string"
        + " nor a number (a text field)"), e.getMessage());
  }

  @Test
  void shouldReadAStringThatIsAFiniteNumberAsTheNumber() {
    // As the file reader does: a number written as a string (stripped) is that number.
    assertArrayEquals(featurizer.featurize(record("bytes", Math.expm1(3.0), "duration", 12.5)),
        featurizer.featurize(record("bytes", Double.toString(Math.expm1(3.0)), "duration", " 12.5 ")));
    assertArrayEquals(featurizer.featurize(record("bytes", 100.0, "duration", -0.5)),
        featurizer.featurize(record("bytes", "1e2", "duration", "-.5")));
  }

  @Test
  void shouldReadAnAmountAsTheFileReaderDoes() {
    // A request carrying the values as the user's spreadsheet wrote them, which is how the model learnt them.
    assertArrayEquals(featurizer.featurize(record("bytes", 59_294.5, "duration", 0.28)),
        featurizer.featurize(record("bytes", "$59,294.50", "duration", "28%")));
    assertArrayEquals(featurizer.featurize(record("bytes", 1_234_567.0, "duration", -12.0)),
        featurizer.featurize(record("bytes", "1,234,567", "duration", "-€12")));
  }

  @Test
  void shouldRefuseARecordWithNoneOfTheSpecsFields() {
    assertMessage("the record has none of the fields bytes, duration, proto, flag (it has zzz)",
        record("zzz", 1, "bytes", null));
    assertMessage("the record has none of the fields", Map.of());
    assertMessage("the record has none of the fields", record("bytes", null, "proto", null));
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
    assertMessage("field 'bytes' is 'many', not a number (a numeric field)", record("bytes", "many"));
    assertMessage("field 'duration' is 'NaN', not a number (a numeric field)", record("duration", "NaN"));
    assertMessage("field 'duration' is '0x1p3', not a number", record("duration", "0x1p3"));
    assertMessage("field 'duration' is '1e999', not a number", record("duration", "1e999"));
    assertMessage("field 'duration' is '4,03', not a number", record("duration", "4,03"));
    assertMessage("field 'duration' is NaN", record("duration", Double.NaN));
    assertMessage("field 'bytes' is Infinity", record("bytes", Double.POSITIVE_INFINITY));
    assertMessage("field 'proto' is a ArrayList", record("proto", new java.util.ArrayList<>(List.of(1))));
    assertMessage("field 'proto' is NaN", record("proto", Double.NaN));
    var e = assertThrows(InputMismatchException.class, () -> featurizer.featurize(null));
    assertTrue(e.getMessage().contains("record of named fields"), e.getMessage());
  }

  @Test
  void shouldNotSayStudentInItsMessagesAsTheTeacherUsesThemToo() {
    for (Map<String, ?> bad : List.of(record("bytes", "many"), record("bytes", Double.NaN),
        record("proto", List.of(1)), record("zzz", 1))) {
      var e = assertThrows(InputMismatchException.class, () -> featurizer.featurize(bad));
      assertTrue(!e.getMessage().contains("student"), e.getMessage());
    }
    var e = assertThrows(InputMismatchException.class, () -> featurizer.featurize(null));
    assertTrue(!e.getMessage().contains("student"), e.getMessage());
  }

  private void assertMessage(String expected, Map<String, ?> fields) {
    var e = assertThrows(InputMismatchException.class, () -> featurizer.featurize(fields));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
