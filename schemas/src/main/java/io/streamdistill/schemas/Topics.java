package io.streamdistill.schemas;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Default names of the topics that make up the system's contracts. Every service lets the user
 * override them; these are what it uses when nobody does.
 */
public final class Topics {
  public static final String INPUT_EVENTS = "distill.input-events";
  public static final String SOFT_LABELS = "distill.soft-labels";
  public static final String STUDENT_MODELS = "distill.student-models";
  public static final String DEPLOYMENTS = "distill.deployments";
  public static final String DEAD_LETTERS = "distill.dead-letters";

  /** How long {@link #requireExists(Map, String, String)} waits for a broker that does not answer. */
  public static final Duration DEFAULT_KAFKA_WAIT = Duration.ofSeconds(20);

  /** All default topics, in the order data flows through them. */
  public static final List<String> ALL =
      List.of(INPUT_EVENTS, SOFT_LABELS, STUDENT_MODELS, DEPLOYMENTS, DEAD_LETTERS);

  /**
   * Largest serialized student version the system carries: 64 MiB of weights plus room for the rest
   * of the record. The student-models topic ({@code max.message.bytes}), the trainer's producer
   * ({@code max.request.size}) and every consumer ({@code max.partition.fetch.bytes}) are sized for it.
   */
  public static final int STUDENT_MODEL_MAX_BYTES = 72 * 1024 * 1024;
  /**
   * Header of each student-model record: {@value #WEIGHTS_WHOLE} or {@value #WEIGHTS_DELTA} (a patch to its
   * parent, see {@code StudentModelVersion.weightsDelta}), so that a reader of the topic's tail knows where the
   * last whole version is without decoding records. A record without it is whole.
   */
  public static final String WEIGHTS_HEADER = "distill.weights";
  public static final String WEIGHTS_WHOLE = "whole";
  public static final String WEIGHTS_DELTA = "delta";

  private Topics() {}

  /**
   * Settings of the student-models topic: records up to {@link #STUDENT_MODEL_MAX_BYTES}, and kept by
   * size rather than age (edge nodes roll back to any of the last versions from Kafka alone): at most
   * 2 GiB per partition, never deleted for age.
   */
  public static Map<String, String> studentModelTopicConfig() {
    return Map.of("max.message.bytes", Integer.toString(STUDENT_MODEL_MAX_BYTES),
        "retention.ms", "-1",
        "retention.bytes", Long.toString(2L * 1024 * 1024 * 1024));
  }

  /** Client settings that let a producer send, and a consumer fetch, versions of the largest size. */
  public static Map<String, Object> studentModelProducerConfig() {
    return Map.of("max.request.size", STUDENT_MODEL_MAX_BYTES + 1024 * 1024,
        "buffer.memory", 2L * (STUDENT_MODEL_MAX_BYTES + 1024 * 1024));
  }

  /** See {@link #studentModelProducerConfig()}. */
  public static Map<String, Object> studentModelConsumerConfig() {
    return Map.of("max.partition.fetch.bytes", STUDENT_MODEL_MAX_BYTES + 1024 * 1024,
        "fetch.max.bytes", STUDENT_MODEL_MAX_BYTES + 1024 * 1024);
  }

  /** Confluent's default subject naming (TopicNameStrategy) for record values. */
  public static String valueSubject(String topic) {
    return topic + "-value";
  }

  /** Confluent's default subject naming (TopicNameStrategy) for record keys. */
  public static String keySubject(String topic) {
    return topic + "-key";
  }

  /**
   * Fails early, and clearly, when the broker cannot be reached within {@link #DEFAULT_KAFKA_WAIT} or
   * {@code topic} does not exist on it: a service started against a wrong address otherwise reports itself
   * running and retries in its log forever.
   *
   * @param flag the option that names the topic, for the message
   * @throws IllegalStateException saying which
   */
  public static void requireExists(Map<String, Object> clientConfig, String topic, String flag) {
    requireExists(clientConfig, topic, flag, DEFAULT_KAFKA_WAIT, note -> { });
  }

  /**
   * As {@link #requireExists(Map, String, String)}, waiting up to {@code wait} for a broker that does not
   * answer yet (one restarting, or a cluster started with the service), and saying so through {@code note}
   * once, at the first attempt that fails, so that a wrong address is seen at once.
   *
   * @throws IllegalStateException when the broker did not answer within {@code wait}, or the topic is missing
   */
  public static void requireExists(Map<String, Object> clientConfig, String topic, String flag, Duration wait,
      Consumer<String> note) {
    Object servers = clientConfig.get("bootstrap.servers");
    long deadline = System.nanoTime() + wait.toNanos();
    Map<String, Object> adminConfig = new HashMap<>(clientConfig);
    int apiTimeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1_000, wait.toMillis()));
    // The client refuses a request timeout over the API's.
    adminConfig.put("default.api.timeout.ms", apiTimeout);
    adminConfig.put("request.timeout.ms", Math.min(10_000, apiTimeout));
    // Kafka's client logs a warning at each failed connection, every second at its default backoff: 60 lines for a
    // minute's wait. Backing off to 5 s says it about 15 times, and costs at most 5 s once the broker is up.
    adminConfig.putIfAbsent("reconnect.backoff.max.ms", 5_000);
    try (Admin admin = Admin.create(adminConfig)) {
      for (int attempt = 1; ; attempt++) {
        // Short attempts, so that the first failure is said within seconds; the client reconnects between them.
        long left = (deadline - System.nanoTime()) / 1_000_000;
        int attemptMillis = (int) Math.max(500, Math.min(Math.min(5_000, wait.toMillis() / 3), left));
        Set<String> names;
        try {
          names = admin.listTopics(new ListTopicsOptions().timeoutMs(attemptMillis)).names()
              .get(attemptMillis + 5_000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          String why = cause.toString();
          // A refused login or a bad setting will not mend by waiting; only a broker that does not answer may.
          boolean mayMend = e instanceof TimeoutException || cause instanceof RetriableException;
          if (!mayMend || System.nanoTime() >= deadline) {
            throw new IllegalStateException("cannot reach Kafka at " + servers
                + (mayMend ? " (waited " + wait.toSeconds() + " s)" : "") + ": " + why, e);
          }
          if (attempt == 1) {
            note.accept("Kafka at " + servers + " does not answer yet; waiting up to " + wait.toSeconds() + " s");
          }
          Thread.sleep(Math.min(500, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
          continue;
        }
        if (!names.contains(topic)) {
          throw new IllegalStateException("topic " + topic + " does not exist on " + servers
              + "; create it (./distill stack creates the distill.* topics) or choose another with " + flag);
        }
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
