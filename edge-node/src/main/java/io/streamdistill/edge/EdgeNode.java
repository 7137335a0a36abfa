package io.streamdistill.edge;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamdistill.config.ClientOptions;
import io.streamdistill.datasets.ImagePixels;
import io.streamdistill.edge.cascade.TeacherClient;
import io.streamdistill.edge.cascade.TeacherReply;
import io.streamdistill.edge.feedback.FeedbackSink;
import io.streamdistill.edge.feedback.KafkaFeedbackSender;
import io.streamdistill.edge.versions.DeploymentSink;
import io.streamdistill.edge.versions.KafkaDeploymentPublisher;
import io.streamdistill.edge.versions.KafkaVersionFollower;
import io.streamdistill.edge.versions.Serving;
import io.streamdistill.edge.versions.ServingStatus;
import io.streamdistill.edge.versions.VersionHolder;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.InputMismatchException;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.VersionVerifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge node as a library: answers requests with the served student version, asks the teacher
 * when the student is unsure, sends a sample of its traffic and every unsure request back to
 * input-events, and keeps its student current from Kafka in the background.
 *
 * <pre>{@code
 * try (EdgeNode node = EdgeNode.start(config, meterRegistry)) {   // follows config.modelsTopic()
 *   EdgeAnswer answer = node.predict(StudentInput.ofVector(pixels));
 *   node.rollback(OptionalLong.empty());                          // back to the previous version
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #predict} is called by any number of request threads and never waits for
 * a version load or swap (it reads one immutable snapshot); admin commands may come from any thread.
 * The node owns what {@link #start} made (follower, producers) and closes it; the meter registry is
 * the caller's.
 */
public final class EdgeNode implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(EdgeNode.class);
  /** Versions read on start beyond those kept for rollback: room for a few that fail verification. */
  private static final int TAIL_SLACK = 2;

  private final EdgeConfig config;
  private final VersionHolder holder;
  /** The Kafka follower of a node made by {@link #start}; null otherwise. Set once, before it is shared. */
  private volatile KafkaVersionFollower follower;
  private final TeacherClient teacher;
  private final FeedbackSink feedback;
  private final RequestMetrics metrics;
  private final String source;
  private final List<AutoCloseable> owned = new ArrayList<>();

  /**
   * A node without Kafka: versions come only through {@link #offer}, and are served as soon as they
   * are verified; events go to the given sinks (which the caller closes). For tests, and for
   * embedders that get versions some other way.
   */
  public EdgeNode(EdgeConfig config, MeterRegistry metrics, DeploymentSink deployments, FeedbackSink feedback) {
    this(config, metrics, deployments, feedback, true);
  }

  private EdgeNode(EdgeConfig config, MeterRegistry metrics, DeploymentSink deployments, FeedbackSink feedback,
      boolean caughtUp) {
    this.config = config;
    this.holder = new VersionHolder(config.nodeId(), config.modelName(), new VersionVerifier(config.trustedKeys()),
        config.keepVersions(), deployments, metrics);
    this.teacher = config.cascadeToTeacher() ? new TeacherClient(config.teacherUrl(), config.teacherTimeout()) : null;
    this.feedback = feedback;
    this.metrics = new RequestMetrics(metrics);
    this.source = "edge/" + config.nodeId();
    if (caughtUp) {
      holder.markCaughtUp();
    }
  }

  /**
   * Starts a node on Kafka: follows {@code config.modelsTopic()} from the beginning, publishes
   * deployment events and feedback. Returns at once; {@link #predict} answers {@link
   * NotServingException} until the topic has been read to its end and a valid version is loaded.
   *
   * @throws IllegalArgumentException when the client settings lack bootstrap.servers or schema.registry.url
   */
  public static EdgeNode start(EdgeConfig config, MeterRegistry metrics) {
    return start(config, metrics, consumerConfig -> new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
        new ByteArrayDeserializer()));
  }

  /**
   * As {@link #start(EdgeConfig, MeterRegistry)}, with the models topic read through the consumer {@code
   * versionConsumer} makes from the follower's settings: a consumer with interceptors, or one that a test cuts
   * off from the broker for a while.
   */
  public static EdgeNode start(EdgeConfig config, MeterRegistry metrics,
      Function<Map<String, Object>, Consumer<String, byte[]>> versionConsumer) {
    for (String key : List.of("bootstrap.servers", "schema.registry.url")) {
      Object value = config.clientConfig().get(key);
      if (value == null || value.toString().isBlank()) {
        throw new IllegalArgumentException("clientConfig has no " + key + ", which a node on Kafka needs");
      }
    }
    List<AutoCloseable> made = new ArrayList<>();
    try {
      KafkaDeploymentPublisher deployments =
          new KafkaDeploymentPublisher(config.clientConfig(), config.deploymentsTopic());
      made.add(deployments);
      KafkaFeedbackSender feedback = new KafkaFeedbackSender(config.clientConfig(), config.inputEventsTopic(),
          config.feedbackQueueSize(), metrics);
      made.add(feedback);
      EdgeNode node = new EdgeNode(config, metrics, deployments, feedback, false);
      KafkaVersionFollower follower = new KafkaVersionFollower(
          versionConsumer.apply(KafkaVersionFollower.consumerConfig(config.clientConfig())),
          AvroSerde.forValues(StudentModelVersion.class, config.clientConfig()).deserializer(), config.modelsTopic(),
          config.modelName(), node.holder, config.keepVersions() + TAIL_SLACK);
      made.add(follower);
      Gauge.builder("distill.edge.versions.records.read", follower, KafkaVersionFollower::recordsRead)
          .description("Records read from the models topic since start (a cold start reads only its tail)")
          .register(metrics);
      Gauge.builder("distill.edge.versions.bytes.read", follower, KafkaVersionFollower::bytesRead)
          .description("Bytes of the records read from the models topic since start: what following it costs")
          .baseUnit("bytes").register(metrics);
      // Closed in reverse: the follower first (no more loads, so no more events), the producers last.
      node.owned.addAll(made);
      node.follower = follower;
      follower.start();
      LOGGER.atInfo()
          .addKeyValue("nodeId", config.nodeId())
          .addKeyValue("modelName", config.modelName())
          .addKeyValue("modelsTopic", config.modelsTopic())
          .addKeyValue("cascadeThreshold",
              config.calibratedCascade() ? EdgeConfig.CALIBRATED : config.cascadeThreshold())
          .addKeyValue("teacherUrl", config.teacherUrl())
          .addKeyValue("sampleRate", config.sampleRate())
          .addKeyValue("client", ClientOptions.masked(config.clientConfig()))
          .log("edge node started");
      return node;
    } catch (RuntimeException e) {
      closeAll(made);
      throw e;
    }
  }

  /**
   * Answers one request with the student, or with the teacher when the student is unsure.
   *
   * @throws NotServingException when no version is served yet
   * @throws InputMismatchException when the input does not fit the served student (no text, wrong width)
   */
  public EdgeAnswer predict(StudentInput input) {
    long started = System.nanoTime();
    // One read of the snapshot: this request uses this version throughout, whatever is swapped in meanwhile.
    Serving serving = serving();
    float[] probabilities;
    try {
      probabilities = serving.model().probabilities(input);
    } catch (InputMismatchException e) {
      metrics.invalid();
      throw e;
    }
    int best = Softmax.argMax(probabilities);
    List<String> classes = serving.model().spec().classes();
    double confidence = probabilities[best];
    boolean uncertain = confidence < config.cascadeThresholdFor(serving.calibratedThreshold());
    if (uncertain) {
      sendBack(input, serving, classes.get(best), confidence, true);
    } else if (config.sampleRate() > 0 && ThreadLocalRandom.current().nextDouble() < config.sampleRate()) {
      sendBack(input, serving, classes.get(best), confidence, false);
    }

    RequestMetrics.Path path = RequestMetrics.Path.STUDENT;
    EdgeAnswer.AnsweredBy answeredBy = EdgeAnswer.AnsweredBy.STUDENT;
    String label = classes.get(best);
    List<String> answerClasses = classes;
    List<Double> answerProbabilities = toList(probabilities);
    String teacherFailure = null;
    if (uncertain && teacher != null) {
      TeacherReply reply = teacher.ask(input);
      if (reply.isAnswered()) {
        path = RequestMetrics.Path.TEACHER;
        answeredBy = EdgeAnswer.AnsweredBy.TEACHER;
        label = reply.label();
        answerClasses = reply.classes();
        answerProbabilities = reply.probabilities();
      } else {
        path = RequestMetrics.Path.TEACHER_FAILED;
        teacherFailure = reply.failure();
      }
    }
    long nanos = System.nanoTime() - started;
    metrics.answered(path, nanos);
    return new EdgeAnswer(label, answerClasses, answerProbabilities, config.modelName(), serving.version(),
        answeredBy, uncertain, uncertain && teacher != null, teacherFailure, confidence, nanos / 1000);
  }

  /**
   * An image file's pixels as the served student reads them: its spec's channels and size, read as a folder's
   * image is ({@link ImagePixels}), for a request that sends the image itself.
   *
   * @throws NotServingException when no version is served yet
   * @throws InputMismatchException when the served student reads no image, or the bytes are none
   */
  public float[] imageVector(byte[] image) {
    Serving serving = serving();
    if (!(serving.model().spec() instanceof ConvSpec conv)) {
      metrics.invalid();
      throw new InputMismatchException("the served student (kind " + serving.model().spec().kind() + ") reads no"
          + " image: a convolutional one (cnn) does; send this one the pixels as {\"vector\": [...]}");
    }
    try {
      return ImagePixels.decode(image, conv.channels(), conv.rows(), conv.cols());
    } catch (IllegalArgumentException e) {
      metrics.invalid();
      throw new InputMismatchException("\"image\": " + e.getMessage());
    }
  }

  /** The version served now, or a NotServingException (counted) when there is none yet. */
  private Serving serving() {
    Serving serving = holder.serving();
    if (serving == null) {
      metrics.notServing();
      throw new NotServingException(holder.notServingReason());
    }
    return serving;
  }

  /** Hands the request to the feedback sink; never waits (a full queue drops it). */
  private void sendBack(StudentInput input, Serving serving, String label, double confidence, boolean uncertain) {
    List<Float> vector = null;
    if (input.vector() != null) {
      vector = new ArrayList<>(input.vector().length);
      for (float v : input.vector()) {
        vector.add(v);
      }
    }
    InputEvent event = InputEvent.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setTimestamp(Instant.now())
        .setSource(source)
        .setKind(EventKind.OBSERVATION)
        .setText(input.text())
        .setVector(vector)
        .setStructured(structured(input.fields()))
        .setUncertain(uncertain)
        .setAttributes(Map.of(
            "node", config.nodeId(),
            "reason", uncertain ? "uncertain" : "sample",
            "model", config.modelName(),
            "modelVersion", Long.toString(serving.version()),
            "studentLabel", label,
            "studentConfidence", Double.toString(confidence)))
        .build();
    feedback.offer(event);
  }

  /**
   * A request's fields as {@code InputEvent.structured} holds them: a number as a double, null as
   * null, anything else as its string; null when the request has no fields.
   */
  static Map<String, Object> structured(Map<String, ?> fields) {
    if (fields == null) {
      return null;
    }
    // HashMap: Map.copyOf refuses the null of a missing field.
    Map<String, Object> structured = new HashMap<>();
    fields.forEach((name, value) -> structured.put(name, value == null ? null
        : value instanceof Number number ? (Object) number.doubleValue() : value.toString()));
    return structured;
  }

  private static List<Double> toList(float[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = (double) values[i];
    }
    return Collections.unmodifiableList(java.util.Arrays.asList(boxed));
  }

  /**
   * Verifies a version and serves it when it is newer than every verified one (see {@link
   * VersionHolder}); what the Kafka follower does with each record. Never throws for a bad version.
   */
  public VersionHolder.Outcome offer(StudentModelVersion version) {
    return holder.offer(version);
  }

  public ServingStatus status() {
    return holder.status();
  }

  /**
   * The bytes of the version records this node read from the models topic since it started: what following it
   * costs (0 for a node without Kafka).
   */
  public long versionBytesRead() {
    return follower == null ? 0 : follower.bytesRead();
  }

  /** Why {@link #predict} answers {@link NotServingException}, in words. */
  public String notServingReason() {
    return holder.notServingReason();
  }

  /** See {@link VersionHolder#pin}. */
  public ServingStatus pin(OptionalLong version) {
    return holder.pin(version);
  }

  /** See {@link VersionHolder#unpin}. */
  public ServingStatus unpin() {
    return holder.unpin();
  }

  /** See {@link VersionHolder#rollback}. */
  public ServingStatus rollback(OptionalLong version) {
    return holder.rollback(version);
  }

  public EdgeConfig config() {
    return config;
  }

  @Override
  public void close() {
    closeAll(owned);
    owned.clear();
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOGGER.atWarn().setCause(e).log("closing an edge node resource failed");
      }
    }
  }
}
