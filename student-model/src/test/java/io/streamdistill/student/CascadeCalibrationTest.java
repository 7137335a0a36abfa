package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CascadeCalibrationTest {
  @Test
  void shouldTrustEveryAnswerWhenTheStudentAlwaysAgrees() {
    int[] classes = {0, 1, 2, 1};
    float[] confidence = {0.4f, 0.95f, 0.7f, 0.55f};
    CascadeCalibration.Result result =
        CascadeCalibration.calibrate(classes, classes, confidence, 0.995, 1).orElseThrow();
    assertEquals(0.4f, (float) result.threshold());
    assertEquals(1.0, result.coverage());
    assertEquals(1.0, result.agreement());
    assertEquals(4, result.samples());
  }

  @Test
  void shouldPutTheThresholdAboveTheUnsureDisagreements() {
    // 100 answers at confidences 0.01..1.00; the student disagrees on the five least confident.
    int n = 100;
    int[] predicted = new int[n];
    int[] teacher = new int[n];
    float[] confidence = new float[n];
    for (int i = 0; i < n; i++) {
      confidence[i] = (i + 1) / 100f;
      teacher[i] = 1;
      predicted[i] = i < 5 ? 0 : 1;
    }
    CascadeCalibration.Result result = CascadeCalibration.calibrate(predicted, teacher, confidence, 1.0, 10)
        .orElseThrow();
    assertEquals(0.06f, (float) result.threshold());
    assertEquals(0.95, result.coverage(), 1e-12);
    assertEquals(1.0, result.agreement());
    // At 96% it may take in some disagreements: from 0.03, 3 of 98 (0.02 would give 4 of 99, below 96%).
    CascadeCalibration.Result looser = CascadeCalibration.calibrate(predicted, teacher, confidence, 0.96, 10)
        .orElseThrow();
    assertEquals(0.03f, (float) looser.threshold());
    assertEquals(3.0 / 98, 1 - looser.agreement(), 1e-12);
  }

  @Test
  void shouldKeepEqualConfidencesTogether() {
    // Three answers at 0.8, one of them wrong: a threshold lets all three through or none.
    int[] predicted = {1, 1, 0, 1, 1};
    int[] teacher = {1, 1, 1, 1, 1};
    float[] confidence = {0.9f, 0.8f, 0.8f, 0.8f, 0.95f};
    CascadeCalibration.Result result = CascadeCalibration.calibrate(predicted, teacher, confidence, 0.9, 1)
        .orElseThrow();
    assertEquals(0.9f, (float) result.threshold());
    assertEquals(0.4, result.coverage(), 1e-12);
  }

  @Test
  void shouldTrustNothingWhenNoConfidenceIsSafe() {
    int[] predicted = {0, 0, 0};
    int[] teacher = {1, 1, 1};
    float[] confidence = {0.6f, 0.99f, 0.7f};
    CascadeCalibration.Result result = CascadeCalibration.calibrate(predicted, teacher, confidence, 0.5, 1)
        .orElseThrow();
    assertTrue(result.threshold() > 0.99f, "above every confidence seen: " + result.threshold());
    assertEquals(0.0, result.coverage());
    assertTrue(Double.isNaN(result.agreement()));
    assertEquals(Map.of(CascadeCalibration.THRESHOLD, result.threshold(), CascadeCalibration.COVERAGE, 0.0,
        CascadeCalibration.TARGET, 0.5), result.metrics());
  }

  @Test
  void shouldMatchTheLowestSafeThresholdFoundByTryingEveryOne() {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(300);
      int[] predicted = new int[n];
      int[] teacher = new int[n];
      float[] confidence = new float[n];
      for (int i = 0; i < n; i++) {
        // Coarse confidences, so that ties are common; more disagreement where the student is less sure.
        confidence[i] = random.nextInt(20) / 19f;
        teacher[i] = random.nextInt(3);
        predicted[i] = random.nextDouble() < 0.3 * (1 - confidence[i]) ? (teacher[i] + 1) % 3 : teacher[i];
      }
      double target = 0.8 + 0.2 * random.nextDouble();
      double expected = Double.NaN;
      int expectedCount = 0;
      for (float t : new TreeSet<>(toList(confidence)).descendingSet()) {
        int count = 0;
        int agreed = 0;
        for (int i = 0; i < n; i++) {
          if (confidence[i] >= t) {
            count++;
            agreed += predicted[i] == teacher[i] ? 1 : 0;
          }
        }
        if (agreed >= target * count) {
          expected = t;
          expectedCount = count;
        }
      }
      CascadeCalibration.Result result = CascadeCalibration.calibrate(predicted, teacher, confidence, target, 1)
          .orElseThrow();
      if (Double.isNaN(expected)) {
        assertEquals(0.0, result.coverage(), "trial " + trial);
      } else {
        assertEquals((float) expected, (float) result.threshold(), "trial " + trial);
        assertEquals((double) expectedCount / n, result.coverage(), 1e-12, "trial " + trial);
        assertTrue(result.agreement() >= target, "trial " + trial);
      }
    }
  }

  @Test
  void shouldNotCalibrateOnTooFewSamples() {
    assertEquals(Optional.empty(), CascadeCalibration.calibrate(new int[3], new int[3], new float[3], 0.9, 4));
    assertEquals(Optional.empty(), CascadeCalibration.calibrate(new int[0], new int[0], new float[0], 0.9, 0));
  }

  @Test
  void shouldRefuseMismatchedInputsAndTargetsOutsideTheUnitInterval() {
    assertThrows(IllegalArgumentException.class,
        () -> CascadeCalibration.calibrate(new int[3], new int[2], new float[3], 0.9, 1));
    assertThrows(IllegalArgumentException.class,
        () -> CascadeCalibration.calibrate(new int[3], new int[3], new float[3], 0, 1));
    assertThrows(IllegalArgumentException.class,
        () -> CascadeCalibration.calibrate(new int[3], new int[3], new float[3], 1.5, 1));
  }

  @Test
  void shouldReadTheThresholdFromAVersionsMetrics() {
    assertEquals(0.75, CascadeCalibration.threshold(Map.of(CascadeCalibration.THRESHOLD, 0.75)));
    assertTrue(Double.isNaN(CascadeCalibration.threshold(Map.of("heldout.agreement", 0.9))));
    assertTrue(Double.isNaN(CascadeCalibration.threshold(Map.of(CascadeCalibration.THRESHOLD, Double.NaN))));
  }

  private static java.util.List<Float> toList(float[] values) {
    java.util.List<Float> list = new java.util.ArrayList<>();
    for (float v : values) {
      list.add(v);
    }
    return list;
  }
}
