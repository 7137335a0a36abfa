package io.streamdistill.teacher.streams;

import io.streamdistill.schemas.Topics;
import java.time.Duration;
import java.util.Objects;

/**
 * How the labelling topology behaves; validated on construction with messages that name the
 * command-line option.
 *
 * @param inputTopic where input events come from
 * @param softLabelTopic where soft labels go
 * @param deadLetterTopic where bad input goes, with the reason and the original bytes
 * @param batchSize a micro-batch is labelled when it has this many events ...
 * @param maxWait ... or when its oldest event has waited this long
 * @param maxPayloadBytes input records larger than this are dead-lettered undecoded
 * @param loadControl which events are labelled
 * @param embeddings whether soft labels carry the teachers' embeddings (for hint and relational
 *     distillation); without them a soft label is much smaller (an MNIST teacher's is 1,200 floats)
 * @param batchesInFlight 0: the model calls run on the stream thread; N: they run on an inference
 *     thread of the stream task, which takes up to N released batches while the stream thread
 *     reads and decodes the next ones (pipelining)
 */
public record LabellingConfig(
    String inputTopic,
    String softLabelTopic,
    String deadLetterTopic,
    int batchSize,
    Duration maxWait,
    int maxPayloadBytes,
    LoadControl loadControl,
    boolean embeddings,
    int batchesInFlight) {

  /** The service's name in dead letters. */
  public static final String SERVICE = "teacher-service";

  public LabellingConfig {
    Objects.requireNonNull(inputTopic, "inputTopic");
    Objects.requireNonNull(softLabelTopic, "softLabelTopic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(maxWait, "maxWait");
    Objects.requireNonNull(loadControl, "loadControl");
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException("--batch-size must be in [1, 10000], not " + batchSize);
    }
    if (maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("--max-wait must be positive, not " + maxWait);
    }
    if (batchesInFlight < 0 || batchesInFlight > 16) {
      throw new IllegalArgumentException("--batches-in-flight must be in [0, 16], not " + batchesInFlight);
    }
    if (maxPayloadBytes < 64) {
      throw new IllegalArgumentException("--max-payload-bytes must be at least 64, not " + maxPayloadBytes);
    }
  }

  /** The default topics, batches of 64 or 50 ms, 1 MiB payloads, every event labelled, 2 batches in flight. */
  public static LabellingConfig defaults() {
    return new LabellingConfig(Topics.INPUT_EVENTS, Topics.SOFT_LABELS, Topics.DEAD_LETTERS, 64,
        Duration.ofMillis(50), 1 << 20, LoadControl.all(), true, 2);
  }

  public LabellingConfig withTopics(String input, String softLabels, String deadLetters) {
    return new LabellingConfig(input, softLabels, deadLetters, batchSize, maxWait, maxPayloadBytes, loadControl,
        embeddings, batchesInFlight);
  }

  public LabellingConfig withBatching(int size, Duration wait) {
    return new LabellingConfig(inputTopic, softLabelTopic, deadLetterTopic, size, wait, maxPayloadBytes, loadControl,
        embeddings, batchesInFlight);
  }

  public LabellingConfig withLoadControl(LoadControl control) {
    return new LabellingConfig(inputTopic, softLabelTopic, deadLetterTopic, batchSize, maxWait, maxPayloadBytes,
        control, embeddings, batchesInFlight);
  }

  public LabellingConfig withMaxPayloadBytes(int bytes) {
    return new LabellingConfig(inputTopic, softLabelTopic, deadLetterTopic, batchSize, maxWait, bytes, loadControl,
        embeddings, batchesInFlight);
  }

  public LabellingConfig withEmbeddings(boolean carry) {
    return new LabellingConfig(inputTopic, softLabelTopic, deadLetterTopic, batchSize, maxWait, maxPayloadBytes,
        loadControl, carry, batchesInFlight);
  }

  public LabellingConfig withBatchesInFlight(int batches) {
    return new LabellingConfig(inputTopic, softLabelTopic, deadLetterTopic, batchSize, maxWait, maxPayloadBytes,
        loadControl, embeddings, batches);
  }
}
