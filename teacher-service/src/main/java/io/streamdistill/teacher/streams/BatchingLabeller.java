package io.streamdistill.teacher.streams;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.serde.AvroSerdeException;
import io.streamdistill.serde.RegistryOutage;
import io.streamdistill.teacher.model.BatchAnswers;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labels input events in micro-batches: one model call per teacher per batch, when the batch is
 * full or its oldest event has waited long enough.
 *
 * <p>Exactly-once with batching: an event waiting in a batch has already been consumed, and Kafka
 * Streams commits consumed offsets on its own schedule. So every waiting event is also written to
 * a changelogged state store, inside the same transaction as the offset commit; after a crash the
 * store is restored and the batch goes on where it was. An event leaves the store in the same
 * transaction that writes its soft label: never lost, never labelled twice.
 *
 * <p>Pipelined (the default): a released batch's model calls run on the task's inference thread
 * while the stream thread reads, checks and decodes the next batches; the stream thread forwards
 * the labels when the calls have returned (on its next record or timer tick), so everything Kafka
 * Streams sees still happens on the stream thread, in order. At most {@code batchesInFlight}
 * batches are with the inference thread; releasing one more waits for the oldest. An event in
 * flight is still in the store until its label is forwarded, so a crash or a close mid-call loses
 * nothing: the call is simply made again by whoever restores the store.
 *
 * <p>One instance per stream task, each with its own predictors (the models are shared). The
 * predictors are used by one thread at a time: the inference thread when pipelined, else the
 * stream thread.
 */
final class BatchingLabeller implements Processor<byte[], byte[], String, SpecificRecord> {
  private static final Logger LOGGER = LoggerFactory.getLogger(BatchingLabeller.class);
  /**
   * How long a record waits for an unreachable schema registry before its task fails (and is
   * replaced, resuming from the last commit): well inside the consumer's max.poll.interval.ms.
   */
  private static final Duration REGISTRY_PATIENCE = Duration.ofSeconds(60);
  static final String STORE = "teacher-batch";
  static final String SOFT_LABELS = "soft-labels-sink";
  static final String DEAD_LETTERS = "dead-letters-sink";
  /** At most one dead-letter log line a minute per kind. */
  static final long DEAD_LETTER_LOG_INTERVAL_MS = 60_000;

  /** An event in the current batch: where it is in the store, its original record, and the decoded event. */
  private record Waiting(long sequence, PendingRecord raw, InputEvent event) {}

  /** A batch handed to the inference thread: its events and, per teacher, their predictions to come. */
  private record InFlight(List<Waiting> events, Future<List<BatchAnswers>> predictions) {}

  private final List<Teacher> teachers;
  private final List<TeacherDescriptor> descriptors;
  private final List<String> classes;
  private final LabellingConfig config;
  private final TeacherMetrics metrics;
  private final Deserializer<InputEvent> deserializer;
  private final List<TeacherPredictor> predictors = new ArrayList<>();
  private List<Waiting> batch = new ArrayList<>();
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>(); // oldest first
  private ExecutorService inference; // null when not pipelined
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<Long, byte[]> store;
  private long nextSequence;
  private long batchStartedMs;
  /** Per kind of dead letter: {refused since the last log line, when that line was written}. */
  private final Map<String, long[]> deadLettersLogged = new HashMap<>();

  BatchingLabeller(List<Teacher> teachers, LabellingConfig config, TeacherMetrics metrics,
      Deserializer<InputEvent> deserializer) {
    this.teachers = teachers;
    this.descriptors = teachers.stream().map(Teacher::descriptor).toList();
    this.classes = descriptors.get(0).classes();
    this.config = config;
    this.metrics = metrics;
    this.deserializer = deserializer;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    teachers.forEach(teacher -> predictors.add(teacher.newPredictor()));
    if (config.batchesInFlight() > 0) {
      String name = "teacher-inference-" + context.applicationId() + "-" + context.taskId();
      inference = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true); // a stream thread that dies must not keep the process up through it
        return thread;
      });
    }
    restoreBatch();
    // Often enough that no event waits much longer than maxWait, and that labels whose model call
    // has returned go out within a few milliseconds when no record comes to carry them.
    Duration tick = Duration.ofMillis(Math.max(1, Math.min(5, config.maxWait().toMillis() / 4)));
    context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::flushIfDue);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    forwardIfReturned();
    RecordMetadata where = context.recordMetadata().orElseThrow();
    PendingRecord raw = new PendingRecord(where.topic(), where.partition(), where.offset(), record.timestamp(),
        record.key(), record.value());
    if (record.value() == null) {
      deadLetter(raw, null, "null-value", "null value (a tombstone is not an input event)", null);
      return;
    }
    if (record.value().length > config.maxPayloadBytes()) {
      deadLetter(raw, null, "too-large", "payload of " + record.value().length + " bytes is over the limit of "
          + config.maxPayloadBytes() + " bytes", null);
      return;
    }
    InputEvent event;
    try {
      event = RegistryOutage.retry("decoding input events from " + where.topic(), REGISTRY_PATIENCE, () -> false,
          () -> deserializer.deserialize(where.topic(), record.value()));
    } catch (AvroSerdeException e) {
      if (e.registryUnavailable()) {
        // Not the record's fault: fail the task (its thread is replaced and resumes from the last
        // commit) rather than dead-letter a good event.
        throw e;
      }
      deadLetter(raw, null, "undecodable", "undecodable: " + e.getMessage(), e);
      return;
    } catch (RuntimeException e) {
      deadLetter(raw, null, "undecodable", "undecodable: " + e.getMessage(), e);
      return;
    }
    if (event.getKind() == EventKind.LATE_LABEL) {
      // Ground truth for an earlier event: the trainer needs it, the teachers do not.
      forwardSoftLabel(event, raw, List.of());
      metrics.lateLabel();
      return;
    }
    if (!config.loadControl().selects(event)) {
      metrics.skipped();
      return;
    }
    Optional<String> problem = InputValidator.problem(event, descriptors);
    if (problem.isPresent()) {
      deadLetter(raw, event.getId(), "invalid-input", problem.get(), null);
      return;
    }
    long sequence = nextSequence++;
    store.put(sequence, raw.encode());
    if (batch.isEmpty()) {
      batchStartedMs = context.currentSystemTimeMs();
    }
    batch.add(new Waiting(sequence, raw, event));
    if (batch.size() >= config.batchSize()) {
      release();
    }
  }

  private void flushIfDue(long nowMs) {
    forwardIfReturned();
    if (!batch.isEmpty() && nowMs - batchStartedMs >= config.maxWait().toMillis()) {
      release();
    }
  }

  /**
   * Sends the batch to the teachers: one model call per teacher. Pipelined, the calls are queued
   * for the inference thread (the oldest batch in flight is waited for and forwarded when there
   * are more than allowed); else they run here, and the labels go out now.
   */
  private void release() {
    List<Waiting> events = batch;
    batch = new ArrayList<>(config.batchSize());
    if (inference == null) {
      forward(events, predictAll(events));
      return;
    }
    inFlight.add(new InFlight(events, inference.submit(() -> predictAll(events))));
    while (inFlight.size() > config.batchesInFlight()) {
      forwardOldest();
    }
    forwardIfReturned();
  }

  /** Forwards the batches in flight whose model calls have returned, oldest first. */
  private void forwardIfReturned() {
    while (!inFlight.isEmpty() && inFlight.peek().predictions().isDone()) {
      forwardOldest();
    }
  }

  /** Waits for the oldest batch in flight and forwards its labels. */
  private void forwardOldest() {
    InFlight oldest = inFlight.poll();
    List<BatchAnswers> predictions;
    try {
      predictions = oldest.predictions().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StreamsException("interrupted while the teachers labelled a batch", e);
    } catch (ExecutionException e) {
      throw new StreamsException("the teachers failed on a batch", e.getCause());
    }
    forward(oldest.events(), predictions);
  }

  private List<BatchAnswers> predictAll(List<Waiting> events) {
    List<BatchAnswers> byTeacher = new ArrayList<>();
    for (int t = 0; t < teachers.size(); t++) {
      byTeacher.add(predictBatch(t, events));
    }
    return byTeacher;
  }

  /** One soft label per event of the batch, or a dead letter where a teacher failed on it; then out of the store. */
  private void forward(List<Waiting> events, List<BatchAnswers> byTeacher) {
    int labelled = 0;
    for (int i = 0; i < events.size(); i++) {
      Waiting waiting = events.get(i);
      List<TeacherOutput> outputs = new ArrayList<>();
      String failure = null;
      for (int t = 0; t < teachers.size() && failure == null; t++) {
        Prediction prediction = byTeacher.get(t).predictions().get(i);
        if (prediction == null) {
          failure = "teacher " + descriptors.get(t).id() + " failed on this input: "
              + byTeacher.get(t).failures().get(i);
        } else {
          outputs.add(output(descriptors.get(t), prediction, config.embeddings()));
        }
      }
      if (failure == null) {
        forwardSoftLabel(waiting.event(), waiting.raw(), outputs);
        labelled++;
      } else {
        deadLetter(waiting.raw(), waiting.event().getId(), "teacher-failed", failure, null);
      }
      store.delete(waiting.sequence());
    }
    // Only those that got a soft label: a dead-lettered event counts among the dead letters.
    metrics.labelled(labelled);
  }

  /**
   * One model call for the batch; if the model fails on it, each input alone, so that one input
   * that breaks the model fails alone (null in its place) and the others are labelled.
   */
  private BatchAnswers predictBatch(int t, List<Waiting> events) {
    TeacherDescriptor descriptor = descriptors.get(t);
    List<TeacherInput> inputs = events.stream().map(w -> InputValidator.inputFor(w.event(), descriptor)).toList();
    long started = System.nanoTime();
    // An outage (a remote teacher down) is not the inputs' fault: it fails the batch instead of dead-lettering
    // it. The task fails, its events stay in the store, and the restarted task asks again (see remote.RemoteTeacher).
    BatchAnswers answers = BatchAnswers.ask(predictors.get(t), inputs);
    if (answers.inOneCall()) {
      metrics.batch(descriptor.id(), inputs.size(), System.nanoTime() - started);
    }
    return answers;
  }

  private static TeacherOutput output(TeacherDescriptor descriptor, Prediction prediction, boolean embeddings) {
    return TeacherOutput.newBuilder()
        .setTeacherId(descriptor.id())
        .setTeacherVersion(descriptor.version())
        .setLogits(AvroValues.boxed(prediction.logits()))
        .setEmbedding(!embeddings || prediction.embedding() == null ? null : AvroValues.boxed(prediction.embedding()))
        .build();
  }

  private void forwardSoftLabel(InputEvent event, PendingRecord raw, List<TeacherOutput> outputs) {
    SoftLabel label = SoftLabel.newBuilder()
        .setEvent(event)
        .setInput(new InputPosition(raw.topic(), raw.partition(), raw.offset()))
        .setClasses(classes)
        .setTeachers(outputs)
        .setLabelledAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
        .build();
    context.forward(new Record<String, SpecificRecord>(event.getId(), label, raw.timestamp()), SOFT_LABELS);
  }

  private void deadLetter(PendingRecord raw, String eventId, String kind, String reason, Exception error) {
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

  /** After a restart: the events that were waiting when the last instance stopped, in their order. */
  private void restoreBatch() {
    try (KeyValueIterator<Long, byte[]> entries = store.all()) {
      while (entries.hasNext()) {
        KeyValue<Long, byte[]> entry = entries.next();
        PendingRecord raw = PendingRecord.decode(entry.value);
        batch.add(new Waiting(entry.key, raw, deserializer.deserialize(raw.topic(), raw.value())));
        nextSequence = Math.max(nextSequence, entry.key + 1);
      }
    }
    batch.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
    batchStartedMs = context.currentSystemTimeMs();
  }

  /**
   * Closes the predictors once no model call runs on them. Batches still in flight are dropped
   * unforwarded (those not started are not started): their events are in the store, and whoever
   * restores the store labels them.
   */
  @Override
  public void close() {
    if (inference != null) {
      inFlight.forEach(batch -> batch.predictions().cancel(false));
      inFlight.clear();
      inference.shutdown();
      try {
        if (!inference.awaitTermination(LabellingTopology.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          // Closing a predictor under a running call would free its native memory beneath it.
          LOGGER.atWarn().addKeyValue("taskId", context.taskId())
              .addKeyValue("timeout", LabellingTopology.closeTimeout())
              .log("a model call did not return in time; its predictors are left open");
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOGGER.atWarn().addKeyValue("taskId", context.taskId())
            .log("interrupted while waiting for a model call to return; its predictors are left open");
        return;
      }
    }
    predictors.forEach(TeacherPredictor::close);
    predictors.clear();
  }
}
