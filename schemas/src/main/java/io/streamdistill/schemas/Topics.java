package io.streamdistill.schemas;

import java.util.List;

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

  private Topics() {}

  /** Confluent's default subject naming (TopicNameStrategy) for record values. */
  public static String valueSubject(String topic) {
    return topic + "-value";
  }

  /** Confluent's default subject naming (TopicNameStrategy) for record keys. */
  public static String keySubject(String topic) {
    return topic + "-key";
  }
}
