package io.streamdistill.teacher;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.serde.registry.SchemaRegistryClients;
import io.streamdistill.teacher.http.InferenceServer;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.streams.LabellingConfig;
import io.streamdistill.teacher.streams.LabellingTopology;
import io.streamdistill.teacher.streams.StreamsInputPause;
import io.streamdistill.teacher.streams.TeacherMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running teacher service: the labelling stream (Kafka Streams, exactly once) and its HTTP face
 * ({@code /predict}, the Open Inference Protocol, {@code /health}, {@code /metrics}), started the same
 * way by {@code ./distill teacher}, the demo, the integration tests and the benchmarks.
 *
 * <pre>{@code
 * try (TeacherService service = TeacherService.start(teachers, TeacherService.Settings.defaults("my-app"),
 *     clientConfig, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
 *   service.awaitRunning(Duration.ofSeconds(60));
 *   ...
 * }
 * }</pre>
 *
 * <p>Ownership: the service owns its Kafka Streams instance, its registry client and its HTTP server,
 * and closes them; the teachers and the meter registry stay the caller's (a teacher may serve other
 * things, and is closed only after the service that uses it). Thread-safe.
 */
public final class TeacherService implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(TeacherService.class);

  /**
   * What the service runs with, beside the client configuration.
   *
   * @param applicationId Kafka Streams application id (consumer group and state)
   * @param labelling topics, batching, load control, embeddings
   * @param threads stream threads, each with its own predictors
   * @param httpPort port of the HTTP face; 0 picks a free one, -1 runs none
   * @param httpThreads threads (and predictor sets) serving HTTP requests
   * @param stateDir Kafka Streams state directory, or null for Kafka Streams' own
   * @param streamsOverrides further Kafka Streams settings, applied last
   * @param modelName the name the ensemble answers under in the Open Inference Protocol ({@code
   *     /v2/models/NAME}); each teacher also answers under its own id
   */
  public record Settings(String applicationId, LabellingConfig labelling, int threads, int httpPort,
      int httpThreads, Path stateDir, Map<String, Object> streamsOverrides, String modelName) {
    public static final String DEFAULT_APPLICATION_ID = "distill-teacher-service";
    public static final int DEFAULT_HTTP_THREADS = 2;

    public Settings {
      if (applicationId == null || applicationId.isBlank()) {
        throw new IllegalArgumentException("--application-id must not be empty");
      }
      Objects.requireNonNull(labelling, "labelling");
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
      }
      if (httpThreads < 1) {
        throw new IllegalArgumentException("--http-threads must be at least 1, was " + httpThreads);
      }
      if (httpPort < -1 || httpPort > 65_535) {
        throw new IllegalArgumentException("--http-port must be -1 (off), 0 (any free port) or a port, was "
            + httpPort);
      }
      streamsOverrides = streamsOverrides == null ? Map.of() : Map.copyOf(streamsOverrides);
      if (modelName == null || modelName.isBlank() || modelName.contains("/")) {
        throw new IllegalArgumentException("--model-name must be a non-empty name without '/', was '" + modelName
            + "'");
      }
    }

    /** One stream thread, HTTP on any free port, the default labelling settings. */
    public static Settings defaults(String applicationId) {
      return new Settings(applicationId, LabellingConfig.defaults(), 1, 0, DEFAULT_HTTP_THREADS, null, Map.of(),
          InferenceServer.DEFAULT_MODEL_NAME);
    }

    public Settings withLabelling(LabellingConfig config) {
      return new Settings(applicationId, config, threads, httpPort, httpThreads, stateDir, streamsOverrides, modelName);
    }

    public Settings withHttp(int port, int handlerThreads) {
      return new Settings(applicationId, labelling, threads, port, handlerThreads, stateDir, streamsOverrides,
          modelName);
    }

    public Settings withStateDir(Path dir) {
      return new Settings(applicationId, labelling, threads, httpPort, httpThreads, dir, streamsOverrides, modelName);
    }

    public Settings withThreads(int streamThreads) {
      return new Settings(applicationId, labelling, streamThreads, httpPort, httpThreads, stateDir,
          streamsOverrides, modelName);
    }

    public Settings withStreamsOverrides(Map<String, Object> overrides) {
      return new Settings(applicationId, labelling, threads, httpPort, httpThreads, stateDir, overrides, modelName);
    }
  }

  private final Settings settings;
  private final List<Teacher> teachers;
  private final SchemaRegistryClient registry;
  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final StreamsInputPause pause = new StreamsInputPause();
  private final InferenceServer http;
  private final TeacherMetrics teacherMetrics;
  private volatile boolean closed;

  private TeacherService(Settings settings, List<Teacher> teachers, Map<String, Object> clientConfig,
      PrometheusMeterRegistry metrics) {
    this.settings = settings;
    this.teachers = List.copyOf(teachers);
    this.teacherMetrics = new TeacherMetrics(metrics);
    this.registry = SchemaRegistryClients.create(clientConfig);
    KafkaStreams created = null;
    KafkaStreamsMetrics bound = null;
    try {
      Properties props = LabellingTopology.streamsConfig(settings.applicationId(), settings.labelling(), clientConfig);
      props.put("num.stream.threads", settings.threads());
      if (settings.stateDir() != null) {
        props.put("state.dir", settings.stateDir().toString());
      }
      props.putAll(settings.streamsOverrides());
      Duration longestBatch = this.teachers.stream().map(t -> t.longestPredict(settings.labelling().batchSize()))
          .reduce(Duration.ZERO, Duration::plus);
      LabellingTopology.sizeTransactions(props, longestBatch).ifPresent(set -> LOGGER.atInfo()
          .addKeyValue("longestBatch", longestBatch).addKeyValue("set", set)
          .log("transactions sized for a teacher that may wait on a batch (its timeouts, retries and breaker)"));
      created = new KafkaStreams(
          LabellingTopology.build(this.teachers, settings.labelling(), teacherMetrics, registry, pause), props);
      pause.attach(created);
      // A failed stream thread is replaced; its task restarts from the last commit (exactly-once). A teacher's
      // outage fails none: the labellers hold their events and pause the input (StreamsInputPause).
      created.setUncaughtExceptionHandler(e -> {
        LOGGER.atError().setCause(e).log("stream thread failed; replacing it");
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
      });
      bound = new KafkaStreamsMetrics(created);
      bound.bindTo(metrics);
      KafkaStreams running = created;
      this.http = settings.httpPort() < 0 ? null : new InferenceServer(settings.httpPort(), settings.httpThreads(),
          this.teachers, metrics, () -> running.state().name(), settings.labelling().maxPayloadBytes(),
          settings.modelName());
    } catch (IOException | RuntimeException e) {
      if (bound != null) {
        bound.close();
      }
      if (created != null) {
        created.close(Duration.ZERO);
      }
      pause.close();
      registry.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start the teacher service's HTTP server on port "
            + settings.httpPort() + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
    this.streams = created;
    this.streamsMetrics = bound;
  }

  /**
   * Builds the service and starts labelling; returns at once (see {@link #awaitRunning}).
   *
   * @param teachers the teachers to label with (an ensemble when several), still owned by the caller
   * @param clientConfig Kafka client and serde settings ({@code bootstrap.servers}, {@code schema.registry.url}, ...)
   * @param metrics where the service's meters go (Prometheus text on {@code /metrics})
   */
  public static TeacherService start(List<Teacher> teachers, Settings settings, Map<String, Object> clientConfig,
      PrometheusMeterRegistry metrics) {
    if (teachers.isEmpty()) {
      throw new IllegalArgumentException("--teacher: at least one teacher is needed");
    }
    TeacherService service = new TeacherService(settings, teachers, clientConfig, metrics);
    service.streams.start();
    LOGGER.atInfo()
        .addKeyValue("applicationId", settings.applicationId())
        .addKeyValue("teachers", teachers.stream().map(t -> t.descriptor().id()).toList())
        .addKeyValue("inputTopic", settings.labelling().inputTopic())
        .addKeyValue("batchSize", settings.labelling().batchSize())
        .addKeyValue("maxWait", settings.labelling().maxWait())
        .addKeyValue("httpPort", service.httpPort())
        .log("teacher service started");
    return service;
  }

  /** Waits until the stream is RUNNING. */
  public void awaitRunning(Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (!streams.state().isRunningOrRebalancing() && streams.state() != KafkaStreams.State.CREATED) {
        throw new IllegalStateException("the teacher service's stream is " + streams.state());
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the teacher service's stream is not RUNNING after " + timeout + " ("
            + streams.state() + ")");
      }
      Thread.sleep(20);
    }
  }

  /** The HTTP port, or -1 when the service runs no HTTP face. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public Settings settings() {
    return settings;
  }

  public List<Teacher> teachers() {
    return teachers;
  }

  /** Events labelled so far by this instance (all teachers counted once per event). */
  public long eventsLabelled() {
    return teacherMetrics.eventsLabelled();
  }

  /** Why a teacher cannot label now (the first remote teacher failing), or empty while all can. */
  public Optional<String> teacherOutage() {
    return teachers.stream().map(Teacher::outage).flatMap(Optional::stream).findFirst();
  }

  /** Input records this instance sent to the dead-letter topic so far. */
  public long eventsDeadLettered() {
    return teacherMetrics.deadLetters();
  }

  /** Stops HTTP, then the stream (committing what is done); idempotent. The teachers stay open. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOGGER.info("teacher service stopping");
    if (http != null) {
      http.close();
    }
    pause.close();
    streams.close(LabellingTopology.closeTimeout());
    streamsMetrics.close();
    registry.close();
    LOGGER.atInfo().addKeyValue("applicationId", settings.applicationId()).log("teacher service stopped");
  }
}
