package io.streamdistill.edge;

import io.streamdistill.config.ClientOptions;
import io.streamdistill.schemas.Topics;
import io.streamdistill.student.SigningKeys;
import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an {@link EdgeNode} needs, validated when it is made: a bad value is an {@link
 * IllegalArgumentException} that names the setting and its command-line option.
 *
 * <pre>{@code
 * EdgeConfig config = EdgeConfig.defaults("node-1", "mnist-edge", List.of(publicKey))
 *     .withClientConfig(Map.of("bootstrap.servers", "localhost:9092", "schema.registry.url", "http://localhost:8081"))
 *     .withCascade(0.9, URI.create("http://teacher:8090/predict"), Duration.ofMillis(200))
 *     .withSampling(0.01, 10_000);
 * }</pre>
 *
 * @param nodeId this node's id: the key of its deployment events, the {@code edge/<nodeId>} source of its input events
 * @param modelName the model line to serve (the key of its records on the student-models topic)
 * @param trustedKeys Ed25519 public keys whose signatures are accepted (at least one)
 * @param modelsTopic where versions are read from
 * @param deploymentsTopic where deployment events go
 * @param inputEventsTopic where sampled and uncertain requests go
 * @param keepVersions how many verified versions are held in memory for rollback
 * @param cascadeThreshold below this top probability the student is unsure and the teacher is asked; 0 turns the
 *     cascade off; {@link #CALIBRATED_CASCADE} (NaN, the default) takes each version's own calibrated threshold
 *     ({@code cascade.threshold} in its signed metrics: the lowest confidence from which its held-out answers agreed
 *     with the teacher as often as the trainer's {@code --cascade-agreement}), and {@value
 *     #FALLBACK_CASCADE_THRESHOLD} for a version without one
 * @param teacherUrl the teacher's {@code /predict} endpoint; null: the student answers even when unsure (its uncertain
 *     requests are still sent back)
 * @param teacherTimeout longest the teacher may take before the student's answer is given instead
 * @param sampleRate share of requests sent back to input-events besides the uncertain ones
 * @param feedbackQueueSize events that may wait to be sent; beyond that they are dropped, never waited for
 * @param clientConfig Kafka client and serde settings (bootstrap.servers, schema.registry.url, security, ...); only
 *     {@link EdgeNode#start} needs them
 */
public record EdgeConfig(
    String nodeId,
    String modelName,
    List<PublicKey> trustedKeys,
    String modelsTopic,
    String deploymentsTopic,
    String inputEventsTopic,
    int keepVersions,
    double cascadeThreshold,
    URI teacherUrl,
    Duration teacherTimeout,
    double sampleRate,
    int feedbackQueueSize,
    Map<String, Object> clientConfig) {

  public static final int DEFAULT_KEEP_VERSIONS = 5;
  /** {@link #cascadeThreshold}: each version's own calibrated threshold. */
  public static final double CALIBRATED_CASCADE = Double.NaN;
  /** {@code --cascade-threshold}'s word for {@link #CALIBRATED_CASCADE}, and its default. */
  public static final String CALIBRATED = "calibrated";
  public static final double DEFAULT_CASCADE_THRESHOLD = CALIBRATED_CASCADE;
  /** The threshold for a version that carries no calibration (older trainers, too few held-out samples). */
  public static final double FALLBACK_CASCADE_THRESHOLD = 0.9;
  public static final String DEFAULT_TEACHER_TIMEOUT = "200ms";
  public static final double DEFAULT_SAMPLE_RATE = 0.01;
  public static final int DEFAULT_FEEDBACK_QUEUE_SIZE = 10_000;

  public EdgeConfig {
    requireName("nodeId (--node-id)", nodeId);
    requireName("modelName (--model)", modelName);
    if (trustedKeys == null || trustedKeys.isEmpty()) {
      throw new IllegalArgumentException("trustedKeys (--public-key): at least one public key is needed to verify"
          + " student versions");
    }
    trustedKeys = List.copyOf(trustedKeys);
    requireName("modelsTopic (--models-topic)", modelsTopic);
    requireName("deploymentsTopic (--deployments-topic)", deploymentsTopic);
    requireName("inputEventsTopic (--input-events-topic)", inputEventsTopic);
    if (keepVersions < 1 || keepVersions > 100) {
      throw new IllegalArgumentException("keepVersions (--keep-versions) must be in [1, 100], got " + keepVersions);
    }
    if (!Double.isNaN(cascadeThreshold) && !(cascadeThreshold >= 0 && cascadeThreshold <= 1)) {
      throw new IllegalArgumentException("cascadeThreshold (--cascade-threshold) must be '" + CALIBRATED
          + "' or in [0, 1] (0 turns the cascade off), got " + cascadeThreshold);
    }
    if (teacherUrl != null && !("http".equals(teacherUrl.getScheme()) || "https".equals(teacherUrl.getScheme()))) {
      throw new IllegalArgumentException("teacherUrl (--teacher-url) must be an http:// or https:// URL, got "
          + teacherUrl);
    }
    if (teacherTimeout == null || teacherTimeout.isNegative() || teacherTimeout.isZero()) {
      throw new IllegalArgumentException("teacherTimeout (--teacher-timeout) must be positive, got " + teacherTimeout);
    }
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("sampleRate (--sample-rate) must be in [0, 1], got " + sampleRate);
    }
    if (feedbackQueueSize < 1) {
      throw new IllegalArgumentException("feedbackQueueSize (--feedback-queue-size) must be at least 1, got "
          + feedbackQueueSize);
    }
    if (clientConfig == null) {
      throw new IllegalArgumentException("clientConfig must not be null (an empty map for a node without Kafka)");
    }
    clientConfig = Collections.unmodifiableMap(new LinkedHashMap<>(clientConfig));
  }

  /**
   * {@code --cascade-threshold}'s value: {@value #CALIBRATED} or a probability in [0, 1].
   *
   * @throws IllegalArgumentException naming the flag
   */
  public static double parseCascadeThreshold(String value) {
    if (CALIBRATED.equalsIgnoreCase(value.strip())) {
      return CALIBRATED_CASCADE;
    }
    try {
      double threshold = Double.parseDouble(value.strip());
      if (threshold >= 0 && threshold <= 1) {
        return threshold;
      }
    } catch (NumberFormatException e) {
      // Said below.
    }
    throw new IllegalArgumentException("--cascade-threshold must be '" + CALIBRATED + "' (each version's own) or a"
        + " probability in [0, 1] (0 turns the cascade off), got '" + value + "'");
  }

  /** Whether each version's calibrated threshold is used rather than one fixed threshold. */
  public boolean calibratedCascade() {
    return Double.isNaN(cascadeThreshold);
  }

  /**
   * The threshold for a version whose calibrated threshold is {@code calibrated} (NaN when it has none):
   * the fixed one when configured, else the version's, else {@value #FALLBACK_CASCADE_THRESHOLD}.
   */
  public double cascadeThresholdFor(double calibrated) {
    if (!calibratedCascade()) {
      return cascadeThreshold;
    }
    return Double.isNaN(calibrated) ? FALLBACK_CASCADE_THRESHOLD : calibrated;
  }

  /**
   * The defaults: the system's topic names, 5 versions held, the cascade at each version's calibrated
   * threshold without a teacher, 1% sampled.
   */
  public static EdgeConfig defaults(String nodeId, String modelName, List<PublicKey> trustedKeys) {
    return new EdgeConfig(nodeId, modelName, trustedKeys, Topics.STUDENT_MODELS, Topics.DEPLOYMENTS,
        Topics.INPUT_EVENTS, DEFAULT_KEEP_VERSIONS, DEFAULT_CASCADE_THRESHOLD, null, Duration.ofMillis(200),
        DEFAULT_SAMPLE_RATE, DEFAULT_FEEDBACK_QUEUE_SIZE, Map.of());
  }

  public EdgeConfig withTopics(String modelsTopic, String deploymentsTopic, String inputEventsTopic) {
    return new EdgeConfig(nodeId, modelName, trustedKeys, modelsTopic, deploymentsTopic, inputEventsTopic,
        keepVersions, cascadeThreshold, teacherUrl, teacherTimeout, sampleRate, feedbackQueueSize, clientConfig);
  }

  public EdgeConfig withKeepVersions(int keepVersions) {
    return new EdgeConfig(nodeId, modelName, trustedKeys, modelsTopic, deploymentsTopic, inputEventsTopic,
        keepVersions, cascadeThreshold, teacherUrl, teacherTimeout, sampleRate, feedbackQueueSize, clientConfig);
  }

  public EdgeConfig withCascade(double cascadeThreshold, URI teacherUrl, Duration teacherTimeout) {
    return new EdgeConfig(nodeId, modelName, trustedKeys, modelsTopic, deploymentsTopic, inputEventsTopic,
        keepVersions, cascadeThreshold, teacherUrl, teacherTimeout, sampleRate, feedbackQueueSize, clientConfig);
  }

  public EdgeConfig withSampling(double sampleRate, int feedbackQueueSize) {
    return new EdgeConfig(nodeId, modelName, trustedKeys, modelsTopic, deploymentsTopic, inputEventsTopic,
        keepVersions, cascadeThreshold, teacherUrl, teacherTimeout, sampleRate, feedbackQueueSize, clientConfig);
  }

  public EdgeConfig withClientConfig(Map<String, Object> clientConfig) {
    return new EdgeConfig(nodeId, modelName, trustedKeys, modelsTopic, deploymentsTopic, inputEventsTopic,
        keepVersions, cascadeThreshold, teacherUrl, teacherTimeout, sampleRate, feedbackQueueSize, clientConfig);
  }

  /** Whether unsure requests are sent to the teacher. */
  public boolean cascadeToTeacher() {
    return (calibratedCascade() || cascadeThreshold > 0) && teacherUrl != null;
  }

  /** Without secrets: password-like client settings are masked, keys shown by id. */
  @Override
  public String toString() {
    return "EdgeConfig[nodeId=" + nodeId + ", modelName=" + modelName + ", trustedKeys="
        + trustedKeys.stream().map(SigningKeys::keyId).toList() + ", modelsTopic=" + modelsTopic
        + ", deploymentsTopic=" + deploymentsTopic + ", inputEventsTopic=" + inputEventsTopic + ", keepVersions="
        + keepVersions + ", cascadeThreshold=" + cascadeThreshold + ", teacherUrl=" + teacherUrl + ", teacherTimeout="
        + teacherTimeout + ", sampleRate=" + sampleRate + ", feedbackQueueSize=" + feedbackQueueSize
        + ", clientConfig=" + ClientOptions.masked(clientConfig) + "]";
  }

  private static void requireName(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }
}
