package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldSpecTest {
  @Test
  void shouldFitMeanAndSdOfNumericFieldsAndMostFrequentValuesOfTheOthers() {
    List<Map<String, Object>> records = List.of(
        record("duration", 1.0, "proto", "tcp"),
        record("duration", 2.0, "proto", "udp"),
        record("duration", 3.0, "proto", "tcp"),
        record("duration", null, "proto", "icmp"),
        record("duration", 6.0, "proto", "tcp"));
    FieldSpec spec = FieldSpec.fit(records, 2);
    assertEquals(1, spec.numeric().size());
    FieldSpec.NumericField duration = spec.numeric().get(0);
    assertEquals("duration", duration.name());
    assertFalse(duration.log(), "four values are not heavy-tailed");
    assertEquals(3.0, duration.mean(), 1e-12, "the null is not a value");
    assertEquals(Math.sqrt((4 + 1 + 0 + 9) / 4.0), duration.sd(), 1e-12);
    // tcp 3 times; icmp and udp once each: the tie goes to string order, and maxValues 2 drops udp.
    assertEquals(List.of(new FieldSpec.CategoricalField("proto", List.of("tcp", "icmp"))), spec.categorical());
    assertEquals(1 + 3, spec.width());
  }

  @Test
  void shouldLeaveOutTextFieldsWithADifferentValueInNearlyEveryRecord() {
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Map<String, Object> r = new HashMap<>();
      r.put("id", "e" + i); // every value different: left out
      r.put("seen", i < 38 ? "t" + i : "t0"); // 38 distinct of 40, 95%: left out
      r.put("country", i % 2 == 0 ? "fr" : "us"); // kept
      r.put("amount", (double) i); // numbers are numeric, however distinct
      records.add(r);
    }
    FieldSpec spec = FieldSpec.fit(records, 50);
    assertEquals(List.of("country"), spec.categorical().stream().map(FieldSpec.CategoricalField::name).toList());
    assertEquals(List.of("amount"), spec.numeric().stream().map(FieldSpec.NumericField::name).toList());
    assertEquals(List.of("id", "seen"), FieldSpec.leftOut(records, spec));
    // 36 of 40 distinct (90%) is not more than 90%: kept. Fewer than 20 records: always kept.
    for (int i = 36; i < 40; i++) {
      records.get(i).put("seen", "t" + (i - 36));
    }
    assertTrue(FieldSpec.fit(records, 50).categorical().stream().anyMatch(f -> f.name().equals("seen")));
    assertEquals(List.of("country", "id", "seen"), FieldSpec.fit(records.subList(0, 19), 50).categorical().stream()
        .map(FieldSpec.CategoricalField::name).toList());
  }

  @Test
  void shouldReadAFieldOfWordsAsTextButNotCodesTimestampsOrRepeatedCategories() {
    List<Map<String, Object>> records = new ArrayList<>();
    String[] titles = {"Mr", "Mrs", "Miss", "Master"};
    for (int i = 0; i < 40; i++) {
      records.add(record("name", "Family" + (char) ('a' + i % 26) + ", " + titles[i % 4] + ". Given", // words: text
          "ticket", "STON/O2. " + (3_101_000 + i), // one word of letters a value: a code, left out
          "at", "2026-12-" + (10 + i % 20) + "T10:" + (10 + i) + ":00Z", // no word of letters: left out
          "city", i % 2 == 0 ? "New York City" : "San Francisco Bay")); // words, but 2 values of 40: categorical
    }

    FieldSpec spec = FieldSpec.fit(records, 20);

    assertEquals(List.of(new FieldSpec.TextField("name", FieldSpec.TEXT_BUCKETS)), spec.text());
    assertEquals(List.of("city"), spec.categorical().stream().map(FieldSpec.CategoricalField::name).toList());
    assertEquals(List.of("at", "ticket"), FieldSpec.leftOut(records, spec));
    assertEquals(3 + FieldSpec.TEXT_BUCKETS, spec.width());
    assertEquals(List.of("city", "name"), spec.names());
    assertEquals(spec, FieldSpec.fromJson(spec.toJson()));
    // A spec written before text fields (no "text" member) reads as one without them.
    assertEquals(new FieldSpec(List.of(), spec.categorical()),
        FieldSpec.fromJson("{\"numeric\":[],\"categorical\":[{\"name\":\"city\",\"values\":"
            + "[\"New York City\",\"San Francisco Bay\"]}]}"));
    var e = assertThrows(IllegalArgumentException.class, () -> FieldSpec.fromJson("{\"numeric\":[],"
        + "\"categorical\":[],\"text\":[{\"name\":\"t\"}]}"));
    assertTrue(e.getMessage().contains("fields.text[0].buckets"), e.getMessage());
  }

  @Test
  void shouldLogTransformNonNegativeHeavyTailedFields() {
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      // Byte counts: mostly small, a few huge.
      double bytes = i % 50 == 0 ? 5_000_000 : 100 + i;
      records.add(record("bytes", bytes, "shifted", bytes - 1_000, "uniform", (double) i));
    }
    FieldSpec spec = FieldSpec.fit(records, 10);
    Map<String, FieldSpec.NumericField> byName = new HashMap<>();
    spec.numeric().forEach(f -> byName.put(f.name(), f));
    assertTrue(byName.get("bytes").log(), "non-negative with skewness above " + FieldSpec.LOG_SKEWNESS);
    assertFalse(byName.get("shifted").log(), "as skewed, but with negative values");
    assertFalse(byName.get("uniform").log(), "not skewed");
    double meanOfLogs = records.stream().mapToDouble(r -> Math.log1p((Double) r.get("bytes"))).average().orElseThrow();
    assertEquals(meanOfLogs, byName.get("bytes").mean(), 1e-9, "statistics of the transformed values");
  }

  @Test
  void shouldMakeMixedOrTextFieldsCategoricalAndWriteIntegralNumbersAsWholeNumbers() {
    FieldSpec spec = FieldSpec.fit(List.of(record("port", 80.0, "x", null), record("port", "http", "x", null),
        record("port", 80, "x", null)), 5);
    assertEquals(List.of(), spec.numeric());
    assertEquals(List.of(new FieldSpec.CategoricalField("port", List.of("80", "http")),
        new FieldSpec.CategoricalField("x", List.of())), spec.categorical(),
        "80.0 and 80 are one category; x never has a value");
  }

  @Test
  void shouldGiveAConstantFieldUnitSd() {
    FieldSpec spec = FieldSpec.fit(List.of(record("k", 7.0), record("k", 7.0)), 5);
    assertEquals(new FieldSpec.NumericField("k", false, 7.0, 1.0), spec.numeric().get(0));
  }

  @Test
  void shouldRoundTripThroughJsonAloneAndInsideAnArchitecture() {
    FieldSpec fields = StudentFixtures.tinyFields();
    assertEquals(fields, FieldSpec.fromJson(fields.toJson()));
    MlpSpec spec = MlpSpec.overFields(List.of("normal", "attack"), fields, List.of(8));
    assertEquals("fields-mlp", spec.kind());
    assertEquals(StudentSpec.InputKind.FIELDS, spec.inputKind());
    assertEquals(fields.width(), spec.inputSize());
    StudentSpec read = StudentSpec.fromJson(spec.toJson());
    assertEquals(spec, read);
    assertEquals(spec.parameterShapes().keySet(), read.parameterShapes().keySet());
  }

  @Test
  void shouldNameTheBadMemberOfABadFieldSpec() {
    assertMessage("'fields.numeric[0].sd' must be a number",
        "{\"kind\":\"fields-mlp\",\"classes\":[\"a\",\"b\"],\"hidden\":[],\"fields\":{\"numeric\":[{\"name\":\"n\","
            + "\"log\":false,\"mean\":0}],\"categorical\":[]}}");
    assertMessage("'fields' must be an object", "{\"kind\":\"fields-mlp\",\"classes\":[\"a\",\"b\"],\"hidden\":[]}");
    assertMessage("field 'n': sd must be positive", "{\"kind\":\"fields-mlp\",\"classes\":[\"a\",\"b\"],\"hidden\":[],"
        + "\"fields\":{\"numeric\":[{\"name\":\"n\",\"log\":false,\"mean\":0,\"sd\":0}],\"categorical\":[]}}");
    assertMessage("inputSize 5 is not the fields' width 1", "{\"kind\":\"fields-mlp\",\"classes\":[\"a\",\"b\"],"
        + "\"inputSize\":5,\"hidden\":[],\"fields\":{\"numeric\":[{\"name\":\"n\",\"log\":false,\"mean\":0,\"sd\":1}],"
        + "\"categorical\":[]}}");
    assertMessage("takes no 'fields'", "{\"kind\":\"mlp\",\"classes\":[\"a\",\"b\"],\"inputSize\":1,\"hidden\":[],"
        + "\"fields\":{}}");
    assertThrows(IllegalArgumentException.class, () -> new FieldSpec(
        List.of(new FieldSpec.NumericField("a", false, 0, 1)),
        List.of(new FieldSpec.CategoricalField("a", List.of()))));
    assertThrows(IllegalArgumentException.class, () -> FieldSpec.fit(List.of(), 5));
  }

  private static void assertMessage(String expected, String json) {
    var e = assertThrows(IllegalArgumentException.class, () -> StudentSpec.fromJson(json));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** A record from name, value pairs; values may be null. */
  static Map<String, Object> record(Object... pairs) {
    Map<String, Object> record = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      record.put((String) pairs[i], pairs[i + 1]);
    }
    return record;
  }
}
