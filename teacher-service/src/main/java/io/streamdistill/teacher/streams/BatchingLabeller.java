package io.streamdistill.teacher.streams;

import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.serde.AvroSerdeException;
import io.streamdistill.serde.RegistryOutage;
import io.streamdistill.teacher.model.BatchAnswers;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * <p>An outage (a teacher that cannot be asked at all: {@link TeacherUnavailableException}, a remote teacher's
 * server down) fails no task: the batch goes back to the events waiting, in their order, with the batches behind
 * it in flight (those not started are not started), nothing is released for {@link OutageHold#HOLD}, and the
 * service is asked to pause the input meanwhile ({@link InputPause}); then the batch is asked again, which a
 * remote teacher paces by its circuit breaker's probe. The events stay in the store throughout, so a crash or a
 * rebalance during the hold loses nothing either. Events that still come while holding are kept up to {@link
 * OutageHold#maxHeld}; past it (no pause asked for, as in tests) the task fails as any failure does, and restarts
 * from the store. Before, every outage failed the task, and its replaced thread's consumer stayed in the group
 * until its session timed out: about 45 s without labelling after each failed batch.
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
  private final InputPause pause;
  private OutageHold outage;
  private LabellerOutput out;
  private BatchLimit batchLimit;
  private final List<TeacherPredictor> predictors = new ArrayList<>();
  private List<Waiting> batch = new ArrayList<>();
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>(); // oldest first
  private ExecutorService inference; // null when not pipelined
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<Long, byte[]> store;
  private long nextSequence;
  private long batchStartedMs;

  BatchingLabeller(List<Teacher> teachers, LabellingConfig config, TeacherMetrics metrics,
      Deserializer<InputEvent> deserializer, InputPause pause) {
    this.teachers = teachers;
    this.descriptors = teachers.stream().map(Teacher::descriptor).toList();
    this.classes = descriptors.get(0).classes();
    this.config = config;
    this.metrics = metrics;
    this.deserializer = deserializer;
    this.pause = pause;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.outage = new OutageHold(pause, config, context.taskId());
    this.out = new LabellerOutput(context, classes, config, metrics);
    this.batchLimit = new BatchLimit(teachers, config.batchSize(), context.taskId());
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
      out.deadLetter(raw, null, "null-value", "null value (a tombstone is not an input event)", null);
      return;
    }
    if (record.value().length > config.maxPayloadBytes()) {
      out.deadLetter(raw, null, "too-large", "payload of " + record.value().length + " bytes is over the limit of "
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
      out.deadLetter(raw, null, "undecodable", "undecodable: " + e.getMessage(), e);
      return;
    } catch (RuntimeException e) {
      out.deadLetter(raw, null, "undecodable", "undecodable: " + e.getMessage(), e);
      return;
    }
    if (event.getKind() == EventKind.LATE_LABEL) {
      // Ground truth for an earlier event: the trainer needs it, the teachers do not.
      out.softLabel(event, raw, List.of());
      metrics.lateLabel();
      return;
    }
    if (!config.loadControl().selects(event)) {
      metrics.skipped();
      return;
    }
    Optional<String> problem = InputValidator.problem(event, descriptors);
    if (problem.isPresent()) {
      out.deadLetter(raw, event.getId(), "invalid-input", problem.get(), null);
      return;
    }
    long sequence = nextSequence++;
    store.put(sequence, raw.encode());
    if (batch.isEmpty()) {
      batchStartedMs = context.currentSystemTimeMs();
    }
    batch.add(new Waiting(sequence, raw, event));
    long now = context.currentSystemTimeMs();
    if (outage.holding(now)) {
      outage.stillComing(now, batch.size());
      return;
    }
    int limit = batchLimit.now();
    if (batch.size() >= limit) {
      release(limit);
    }
  }

  /** Releases one batch when it is full or its oldest event has waited {@code maxWait}, unless holding. */
  private void flushIfDue(long nowMs) {
    forwardIfReturned();
    if (batch.isEmpty() || outage.holding(nowMs)) {
      return;
    }
    int limit = batchLimit.now();
    if (batch.size() >= limit || nowMs - batchStartedMs >= config.maxWait().toMillis()) {
      release(limit);
    }
  }

  /**
   * Sends the batch (its first {@code limit} events, the {@link BatchLimit#now} its caller judged it by, when more
   * wait: after an outage, or while a teacher is slowed down) to the teachers: one model call per teacher.
   * Pipelined, the calls are queued for the inference thread (the oldest batch in flight is waited for and forwarded
   * when there are more than allowed); else they run here, and the labels go out now.
   */
  private void release(int limit) {
    List<Waiting> events;
    if (batch.size() <= limit) {
      events = batch;
      batch = new ArrayList<>(config.batchSize());
    } else {
      events = new ArrayList<>(batch.subList(0, limit));
      batch = new ArrayList<>(batch.subList(limit, batch.size()));
    }
    if (inference == null) {
      List<BatchAnswers> answers;
      try {
        answers = predictAll(events);
      } catch (TeacherUnavailableException unavailable) {
        hold(events, unavailable);
        return;
      }
      outage.answered(context.currentSystemTimeMs());
      forward(events, answers);
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

  /** Waits for the oldest batch in flight and forwards its labels, or holds its events after an outage. */
  private void forwardOldest() {
    InFlight oldest = inFlight.poll();
    Optional<List<BatchAnswers>> predictions = await(oldest);
    if (predictions.isEmpty()) {
      hold(oldest.events(), null);
      return;
    }
    outage.answered(context.currentSystemTimeMs());
    forward(oldest.events(), predictions.get());
  }

  /** A batch's predictions, or empty when the teachers were unavailable (any other failure fails the task). */
  private static Optional<List<BatchAnswers>> await(InFlight batch) {
    try {
      return Optional.of(batch.predictions().get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StreamsException("interrupted while the teachers labelled a batch", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TeacherUnavailableException) {
        LOGGER.atDebug().setCause(e.getCause()).log("a batch in flight found the teachers unavailable");
        return Optional.empty();
      }
      throw new StreamsException("the teachers failed on a batch", e.getCause());
    }
  }

  /**
   * After an outage: the failed batch's events and those of the batches behind it in flight (those not started are
   * not started; one running is waited for, and forwarded if it was answered) go back before the events waiting,
   * in their order, and nothing is released for {@link OutageHold#HOLD}; the service pauses the input meanwhile.
   *
   * @param unavailable the failure when it is at hand (it is logged), else null
   */
  private void hold(List<Waiting> failed, TeacherUnavailableException unavailable) {
    List<Waiting> back = new ArrayList<>(failed);
    while (!inFlight.isEmpty()) {
      InFlight next = inFlight.poll();
      if (next.predictions().cancel(false)) {
        back.addAll(next.events());
        continue;
      }
      Optional<List<BatchAnswers>> predictions = await(next);
      if (predictions.isPresent()) {
        forward(next.events(), predictions.get());
      } else {
        back.addAll(next.events());
      }
    }
    back.addAll(batch);
    back.sort(Comparator.comparingLong(Waiting::sequence));
    batch = back;
    batchStartedMs = context.currentSystemTimeMs();
    outage.begin(batchStartedMs, batch.size(), unavailable == null ? null : unavailable.getMessage());
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
          outputs.add(LabellerOutput.teacherOutput(descriptors.get(t), prediction, config.embeddings()));
        }
      }
      if (failure == null) {
        out.softLabel(waiting.event(), waiting.raw(), outputs);
        labelled++;
      } else {
        out.deadLetter(waiting.raw(), waiting.event().getId(), "teacher-failed", failure, null);
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
    // it, and the labeller holds its events (see the class comment and remote.RemoteTeacher).
    BatchAnswers answers = BatchAnswers.ask(predictors.get(t), inputs);
    if (answers.inOneCall()) {
      metrics.batch(descriptor.id(), inputs.size(), System.nanoTime() - started);
    }
    return answers;
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
