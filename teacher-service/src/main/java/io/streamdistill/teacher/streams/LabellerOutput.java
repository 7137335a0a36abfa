package io.streamdistill.teacher.streams;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link BatchingLabeller} forwards: soft labels to {@link #SOFT_LABELS}, and dead letters with their reason to
 * {@link #DEAD_LETTERS}, counted and logged without a line per record. Not thread-safe: one per labeller, used on its
 * stream thread.
 */
final class LabellerOutput {
  static final String SOFT_LABELS = "soft-labels-sink";
  static final String DEAD_LETTERS = "dead-letters-sink";
  /** At most one dead-letter log line a minute per kind. */
  static final long DEAD_LETTER_LOG_INTERVAL_MS = 60_000;
  private static final Logger LOGGER = LoggerFactory.getLogger(LabellerOutput.class);

  private final ProcessorContext<String, SpecificRecord> context;
  private final List<String> classes;
  private final LabellingConfig config;
  private final TeacherMetrics metrics;
  /** Per kind of dead letter: {refused since the last log line, when that line was written}. */
  private final Map<String, long[]> deadLettersLogged = new HashMap<>();

  LabellerOutput(ProcessorContext<String, SpecificRecord> context, List<String> classes, LabellingConfig config,
      TeacherMetrics metrics) {
    this.context = context;
    this.classes = classes;
    this.config = config;
    this.metrics = metrics;
  }

  static TeacherOutput teacherOutput(TeacherDescriptor descriptor, Prediction prediction, boolean embeddings) {
    return TeacherOutput.newBuilder()
        .setTeacherId(descriptor.id())
        .setTeacherVersion(descriptor.version())
        .setLogits(AvroValues.boxed(prediction.logits()))
        .setEmbedding(!embeddings || prediction.embedding() == null ? null : AvroValues.boxed(prediction.embedding()))
        .build();
  }

  void softLabel(InputEvent event, PendingRecord raw, List<TeacherOutput> outputs) {
    SoftLabel label = SoftLabel.newBuilder()
        .setEvent(event)
        .setInput(new InputPosition(raw.topic(), raw.partition(), raw.offset()))
        .setClasses(classes)
        .setTeachers(outputs)
        .setLabelledAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
    context.forward(new Record<String, SpecificRecord>(event.getId(), label, raw.timestamp()), SOFT_LABELS);
  }

  void deadLetter(PendingRecord raw, String eventId, String kind, String reason, Exception error) {
    DeadLetter letter = DeadLetter.newBuilder()
        .setService(LabellingConfig.SERVICE)
        .setReason(reason)
        .setErrorClass(error == null ? null : error.getClass().getName())
        .setTopic(raw.topic())
        .setPartition(raw.partition())
        .setOffset(raw.offset())
        .setKey(raw.key() == null ? null : ByteBuffer.wrap(raw.key()))
        .setValue(raw.value() == null ? null : ByteBuffer.wrap(raw.value()))
        .setTimestamp(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
    context.forward(new Record<String, SpecificRecord>(eventId, letter, raw.timestamp()), DEAD_LETTERS);
    metrics.deadLetter(kind);
    logDeadLetter(kind, reason);
  }

  /**
   * The log says that input is being refused, and why, without a line per record: the first of each
   * kind at once, then at most one line a minute per kind with the count since (a user's teacher
   * service dead-lettered 258 events and its log said nothing).
   */
  private void logDeadLetter(String kind, String reason) {
    long now = context.currentSystemTimeMs();
    long[] state = deadLettersLogged.computeIfAbsent(kind, k -> new long[] {0, Long.MIN_VALUE});
    state[0]++;
    if (state[1] != Long.MIN_VALUE && now - state[1] < DEAD_LETTER_LOG_INTERVAL_MS) {
      return;
    }
    LOGGER.atWarn().addKeyValue("taskId", context.taskId()).addKeyValue("kind", kind)
        .addKeyValue("deadLetters", state[0]).addKeyValue("topic", config.deadLetterTopic())
        .log("input refused, sent to the dead letters with the reason (the last: {})", reason);
    state[0] = 0;
    state[1] = now;
  }
}
