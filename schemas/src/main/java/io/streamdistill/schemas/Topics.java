package io.streamdistill.schemas;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

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
   * Fails early, and clearly, when the broker cannot be reached within about 20 s or {@code topic} does not
   * exist on it: a service started against a wrong address otherwise reports itself running and retries
   * in its log forever.
   *
   * @param flag the option that names the topic, for the message
   * @throws IllegalStateException saying which
   */
  public static void requireExists(Map<String, Object> clientConfig, String topic, String flag) {
    Map<String, Object> adminConfig = new HashMap<>(clientConfig);
    adminConfig.put("default.api.timeout.ms", 15_000);
    adminConfig.put("request.timeout.ms", 10_000);
    try (Admin admin = Admin.create(adminConfig)) {
      if (!admin.listTopics().names().get(20, TimeUnit.SECONDS).contains(topic)) {
        throw new IllegalStateException("topic " + topic + " does not exist on " + clientConfig.get("bootstrap.servers")
            + "; create it (./distill stack creates the distill.* topics) or choose another with " + flag);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot reach Kafka at " + clientConfig.get("bootstrap.servers") + ": "
          + (e.getCause() == null ? e : e.getCause()).toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
