package io.streamdistill.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.Topics;
import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's one config type rejects bad values with a message that names the setting and its option. */
class EdgeConfigTest {
  private static final List<PublicKey> KEYS = List.of(TestVersions.KEYS.getPublic());
  private final EdgeConfig defaults = EdgeConfig.defaults("node-1", "mnist-edge", KEYS);

  private static void assertRejected(String expected, Runnable make) {
    var e = assertThrows(IllegalArgumentException.class, make::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void shouldDefaultToTheSystemsTopicsAndTheDocumentedValues() {
    assertEquals(Topics.STUDENT_MODELS, defaults.modelsTopic());
    assertEquals(Topics.DEPLOYMENTS, defaults.deploymentsTopic());
    assertEquals(Topics.INPUT_EVENTS, defaults.inputEventsTopic());
    assertEquals(5, defaults.keepVersions());
    assertTrue(defaults.calibratedCascade(), "each version's own threshold by default");
    assertEquals(0.7, defaults.cascadeThresholdFor(0.7));
    assertEquals(EdgeConfig.FALLBACK_CASCADE_THRESHOLD, defaults.cascadeThresholdFor(Double.NaN));
    EdgeConfig fixed = defaults.withCascade(0.8, null, Duration.ofMillis(1));
    assertFalse(fixed.calibratedCascade());
    assertEquals(0.8, fixed.cascadeThresholdFor(0.7));
    assertEquals(Duration.ofMillis(200), defaults.teacherTimeout());
    assertEquals(0.01, defaults.sampleRate());
    assertFalse(defaults.cascadeToTeacher(), "no teacher URL, no cascade");
    assertTrue(defaults.withCascade(0.5, URI.create("http://t/predict"), Duration.ofSeconds(1)).cascadeToTeacher());
    assertTrue(defaults.withCascade(EdgeConfig.CALIBRATED_CASCADE, URI.create("http://t/predict"), Duration.ofSeconds(1))
        .cascadeToTeacher(), "calibrated thresholds cascade too");
  }

  @Test
  void shouldNameTheBadSetting() {
    assertRejected("--cascade-threshold", () -> defaults.withCascade(1.5, null, Duration.ofMillis(1)));
    assertRejected("--cascade-threshold", () -> defaults.withCascade(-0.1, null, Duration.ofMillis(1)));
    assertRejected("--cascade-threshold", () -> EdgeConfig.parseCascadeThreshold("high"));
    assertRejected("--cascade-threshold", () -> EdgeConfig.parseCascadeThreshold("1.01"));
    assertTrue(Double.isNaN(EdgeConfig.parseCascadeThreshold(" Calibrated ")));
    assertEquals(0.25, EdgeConfig.parseCascadeThreshold("0.25"));
    assertRejected("--teacher-timeout", () -> defaults.withCascade(0.5, null, Duration.ZERO));
    assertRejected("--teacher-url", () -> defaults.withCascade(0.5, URI.create("ftp://t"), Duration.ofMillis(1)));
    assertRejected("--sample-rate", () -> defaults.withSampling(-0.1, 10));
    assertRejected("--feedback-queue-size", () -> defaults.withSampling(0.1, 0));
    assertRejected("--keep-versions", () -> defaults.withKeepVersions(0));
    assertRejected("--public-key", () -> EdgeConfig.defaults("node-1", "mnist-edge", List.of()));
    assertRejected("--model", () -> EdgeConfig.defaults("node-1", " ", KEYS));
    assertRejected("--node-id", () -> EdgeConfig.defaults("", "mnist-edge", KEYS));
    assertRejected("--models-topic", () -> defaults.withTopics("", "d", "i"));
  }

  @Test
  void shouldNotShowSecretsWhenPrinted() {
    EdgeConfig config = defaults.withClientConfig(Map.of("bootstrap.servers", "k:9092",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule password=\"s3cret\";"));
    assertTrue(config.toString().contains("k:9092"), config.toString());
    assertFalse(config.toString().contains("s3cret"), config.toString());
  }
}
