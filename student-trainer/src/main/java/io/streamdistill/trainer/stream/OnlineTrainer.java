package io.streamdistill.trainer.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.schemas.TeacherRef;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.model.StepResult;
import io.streamdistill.trainer.model.StudentLearner;
import io.streamdistill.trainer.model.TemperatureAlphaSearch;
import io.streamdistill.trainer.model.TrainingSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online distillation loop: reads soft labels, learns from them in mini-batches (each batch
 * scored before it is learned), keeps a held-out slice apart, and every N samples or T seconds
 * offers the current student as a candidate ({@link CandidateJudge}); the gate decides, and a
 * published version goes out in one Kafka transaction with the dead letters since the last version
 * and the consumed offsets ({@link VersionPublisher}). Dead letters wait for the next version only
 * up to a bound ({@link DeadLetterLimits}); past it they go out on their own.
 *
 * <p>Why this is exactly-once for the lineage: the only durable state is a published version and the
 * offsets committed with it, and both change in one transaction. After a crash the trainer restarts
 * from the newest published version's weights, at the offsets its lineage records; everything read
 * after them is read and learned again, into the next version. No soft label is learned twice into
 * a lineage, none is skipped. Candidates the gate refuses publish nothing and commit nothing, so
 * their samples stay in the lineage of the next published version.
 *
 * <p>One trainer per model name: the transactional id is fixed per model, so a second instance
 * (or the restarted one) fences the first. The partitions are assigned, not subscribed: there is no
 * group rebalance to wait for after a crash.
 *
 * <p>Threading: {@link #run()} runs on one thread that owns the clients and the learners; {@link
 * #close()} and {@link #status()} may be called from any thread.
 *
 * <p>Its length (about 450 lines, 370 of code): the loop and its order of steps stay in one place on
 * purpose, so that the exactly-once argument above can be checked in one file; publishing ({@link
 * VersionPublisher}), judging ({@link CandidateJudge}), counting ({@link TrainerCounts}), decoding
 * ({@link SoftLabelDecoder}) and dead letters ({@link DeadLetterBuffer}) are their own types.
 */
public final class OnlineTrainer implements Runnable, AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(OnlineTrainer.class);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final int QUEUE_CAPACITY = 4_096;
  /** Batches in a row whose loss is not finite after which the learner restarts from the version in service. */
  private static final int NON_FINITE_RESTART = 3;
  /** Training samples automated tuning searches on before the first step. */
  static final int AUTO_TUNE_SAMPLES = 2_000;

  private final TrainerConfig config;
  private final Map<String, Object> clientConfig;
  private final TrainerMetrics metrics;
  private final Consumer<StudentModelVersion> onPublished;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SoftLabelReader reader;
  private final HeldOutSlice slice;
  private volatile SoftLabelDecoder decoder;
  private volatile TrainerStatus status = TrainerStatus.initial();

  // Owned by the run() thread.
  private final List<TrainingSample> pending = new ArrayList<>();
  private final DeadLetterBuffer deadLetters;
  private final HeldOutWindow window;
  private final SlidingScore prequential = new SlidingScore(5_000);
  private final Map<String, String> teachers = new TreeMap<>();
  /** Per soft-label partition, the consumer position the trained samples reach (the next version's lineage). */
  private final Map<Integer, Long> through = new TreeMap<>();
  private ResumePoint resumedAt;
  private final TrainerCounts counts;
  private long lag;
  private int nonFiniteInARow;
  private long candidateAtNanos = System.nanoTime();
  /** Samples trained into the lineage before this run (from the version resumed from), for the pruning schedule. */
  private long trainedBefore;
  /** The first samples, held until automated tuning has chosen T and α; null once tuned (or when not tuning). */
  private List<TrainingSample> tuning;
  private StudentModelVersion serving;
  private double servingHeldOutAgreement = Double.NaN;

  /**
   * @param onPublished told of each version once its transaction committed (on the trainer's thread)
   */
  public OnlineTrainer(TrainerConfig config, Map<String, Object> clientConfig, MeterRegistry registry,
      Consumer<StudentModelVersion> onPublished) {
    this.config = config;
    this.clientConfig = Map.copyOf(clientConfig);
    this.onPublished = onPublished;
    this.metrics = new TrainerMetrics(registry, this::status);
    this.counts = new TrainerCounts(metrics);
    DistillationMethod method = config.method();
    this.reader = new SoftLabelReader(config.spec(), method.combination(), method.requiredEmbeddingWidth(),
        config.knownTeachers());
    this.tuning = method.autoTune() ? new ArrayList<>() : null;
    this.slice = new HeldOutSlice(config.heldOutPercent());
    this.window = new HeldOutWindow(config.heldOutWindow());
    this.deadLetters = new DeadLetterBuffer(config.deadLetterLimits());
  }

  public TrainerStatus status() {
    return status;
  }

  @Override
  public void run() {
    try (StudentLearner learner = new StudentLearner(config.spec(), config.method(), config.learning(), config.seed());
        CandidateJudge judge = new CandidateJudge(config);
        VersionPublisher publisher = new VersionPublisher(config, clientConfig);
        KafkaConsumer<byte[], byte[]> kafkaConsumer = new KafkaConsumer<>(consumerConfig(),
            new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AvroSerde<SoftLabel> labelSerde = AvroSerde.forValues(SoftLabel.class, clientConfig)) {
      Deserializer<SoftLabel> labels = labelSerde.deserializer();
      publisher.start();
      resume(learner, judge, kafkaConsumer);
      int refilled = resumedAt.refillHeldOut(config, consumerConfig(), labels, reader, slice, window);
      if (refilled > 0) {
        LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("heldOut", refilled)
            .log("held-out window refilled from before the resume point");
      }
      BlockingQueue<SoftLabelDecoder.Item> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
      decoder = new SoftLabelDecoder(kafkaConsumer, labels, reader, slice, queue, closed);
      Thread reading = new Thread(decoder, "trainer-reader-" + config.modelName());
      reading.setDaemon(true);
      reading.start();
      try {
        loop(queue, learner, judge, publisher);
      } finally {
        closed.set(true);
        reading.interrupt();
        kafkaConsumer.wakeup();
        reading.join(30_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (WakeupException e) {
      if (!closed.get()) {
        throw e;
      }
    } finally {
      decoder = null;
      LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("version", versionNumber())
          .addKeyValue("consumed", counts.consumed()).log("trainer stopped");
    }
  }

  /** Consume, train, judge, publish: until closed. */
  private void loop(BlockingQueue<SoftLabelDecoder.Item> queue, StudentLearner learner, CandidateJudge judge,
      VersionPublisher publisher) throws InterruptedException {
    long progressAt = System.nanoTime() + PROGRESS_EVERY.toNanos();
    long lastConsumed = 0;
    long lastProgress = System.nanoTime();
    List<SoftLabelDecoder.Item> items = new ArrayList<>(QUEUE_CAPACITY);
    // Whether an idle replay step may be due: then the queue is only looked at, not waited on.
    boolean replaying = false;
    IdleReplayBudget idleBudget = new IdleReplayBudget(System.nanoTime());
    while (!closed.get()) {
      SoftLabelDecoder.Item first = replaying ? queue.poll() : queue.poll(200, TimeUnit.MILLISECONDS);
      if (first != null) {
        replaying = true;
        items.add(first);
        queue.drainTo(items, QUEUE_CAPACITY);
        for (SoftLabelDecoder.Item item : items) {
          process(item, learner);
          // Checked after each record, so that "every N samples" means exactly N.
          if (candidateDue()) {
            candidate(learner, judge, publisher);
          } else if (deadLetters.due(System.nanoTime())) {
            publisher.flush(deadLetters, resumedAt.committable(through), versionNumber());
          }
        }
        items.clear();
      } else if (decoder.failure() != null) {
        throw decoder.failure();
      } else if (tuning != null && !tuning.isEmpty() && window.size() > 0
          && System.nanoTime() - candidateAtNanos >= config.publishInterval().toNanos()) {
        // A short stream that went quiet: tune on what there is rather than wait for more.
        autoTune(learner);
      } else if (candidateDue()) {
        candidate(learner, judge, publisher);
      } else if (deadLetters.due(System.nanoTime())) {
        publisher.flush(deadLetters, resumedAt.committable(through), versionNumber());
      } else if (tuning == null && decoder.caughtUp() && idleBudget.allows(System.nanoTime())) {
        // Caught up with the topic, not just with a reader that has yet to hand over what it fetched: learn more
        // from what was read, within the idle replay's budgets (steps per fresh one, share of the time).
        replaying = learner.idleReplayStep();
        idleBudget.spent(System.nanoTime());
      } else {
        replaying = false;
      }
      lag = decoder.lastLag() + queue.size();
      updateStatus();
      if (System.nanoTime() >= progressAt) {
        long now = System.nanoTime();
        double rate = (counts.consumed() - lastConsumed) / ((now - lastProgress) / 1e9);
        lastConsumed = counts.consumed();
        lastProgress = now;
        progressAt = now + PROGRESS_EVERY.toNanos();
        LOGGER.info(TrainerCounts.progressLine(config.modelName(), status, rate));
      }
    }
  }

  /** Stops the loop (from any thread); a candidate being published finishes or aborts first. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      SoftLabelDecoder d = decoder;
      if (d != null) {
        d.wakeUp();
      }
    }
  }

  private void resume(StudentLearner learner, CandidateJudge judge, KafkaConsumer<byte[], byte[]> kafkaConsumer) {
    resumedAt = ResumePoint.find(config, clientConfig, kafkaConsumer);
    StudentModelVersion version = resumedAt.version();
    if (version != null) {
      learner.load(resumedAt.weights());
      judge.inService(resumedAt.weights(), ShippedWeights.quantized(version));
      serveAsSelfTeacher(learner, judge);
      serving = version;
      trainedBefore = version.getMetrics().getOrDefault("samples.trained.total", 0.0).longValue();
      Double tunedT = version.getMetrics().get("distill.temperature");
      Double tunedAlpha = version.getMetrics().get("distill.alpha");
      if (tuning != null && tunedT != null && tunedAlpha != null) {
        // Tuned once, at the start of the line: a restart keeps what the search chose.
        learner.retune(learner.method().withDistillation(tunedT.floatValue(), tunedAlpha.floatValue()));
        tuning = null;
      }
      servingHeldOutAgreement = version.getMetrics().getOrDefault("heldout.agreement", Double.NaN);
      for (TeacherRef t : version.getLineage().getTeachers()) {
        teachers.put(t.getTeacherId(), t.getTeacherVersion());
      }
    }
    through.putAll(resumedAt.positions());
    LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("kind", config.spec().kind())
        .addKeyValue("resumedFrom", serving == null ? "nothing (first version)" : "v" + serving.getVersion())
        .addKeyValue("topic", config.softLabelTopic()).addKeyValue("partitions", through.size())
        .addKeyValue("deadLetteredThrough", resumedAt.deadLetteredThrough())
        .addKeyValue("method", learner.method().describe()).addKeyValue("compression", config.compression())
        .log("trainer started");
    candidateAtNanos = System.nanoTime();
    updateStatus();
  }

  private void process(SoftLabelDecoder.Item item, StudentLearner learner) {
    if (item.positionOnly()) {
      through.put(item.partition(), item.positionAfter());
      return;
    }
    // Past this record; and past any transaction markers after it when it ended its poll.
    through.put(item.partition(), Math.max(item.offset() + 1, item.positionAfter()));
    counts.read();
    if (item.deadLetter() != null) {
      counts.deadLettered(item.deadLetter().getReason());
      // Written ahead of a version by an earlier run of this line: not a second time.
      if (!resumedAt.alreadyDeadLettered(item.partition(), item.offset())) {
        deadLetters.add(item.deadLetter(), System.nanoTime());
      }
      return;
    }
    if (item.skipped()) {
      counts.skipped();
      return;
    }
    for (TeacherOutput t : item.teachers()) {
      teachers.put(t.getTeacherId(), t.getTeacherVersion());
    }
    if (item.heldOut()) {
      window.add(item.sample());
      counts.heldOut();
      return;
    }
    if (tuning != null) {
      tuning.add(item.sample());
      if (tuning.size() >= AUTO_TUNE_SAMPLES && window.size() >= config.gate().minHeldOut()) {
        autoTune(learner);
      }
      return;
    }
    pending.add(item.sample());
    if (pending.size() >= config.batchSize()) {
      train(learner);
    }
  }
  /**
   * Chooses T and α on the first samples of the line and the held-out window, then learns those
   * samples with the choice; until then nothing is trained, and no candidate is offered.
   */
  private void autoTune(StudentLearner learner) {
    long started = System.nanoTime();
    TemperatureAlphaSearch.Result result = TemperatureAlphaSearch.search(config.spec(), learner.method(),
        config.learning(), config.seed(), config.batchSize(), tuning, window.samples());
    learner.retune(result.chosen());
    LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("temperature", result.chosen().temperature())
        .addKeyValue("alpha", result.chosen().alpha()).addKeyValue("criterion", result.criterion())
        .addKeyValue("trials", result.trials().size()).addKeyValue("samples", tuning.size())
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("T and alpha tuned");
    List<TrainingSample> tuned = tuning;
    tuning = null;
    for (TrainingSample sample : tuned) {
      pending.add(sample);
      if (pending.size() >= config.batchSize()) {
        train(learner);
      }
    }
  }

  private void train(StudentLearner learner) {
    if (pending.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    long nonFiniteBefore = learner.nonFiniteSteps();
    StepResult result = learner.trainStep(pending);
    metrics.step.record(Duration.ofNanos(System.nanoTime() - started));
    nonFiniteInARow = learner.nonFiniteSteps() == nonFiniteBefore ? 0 : nonFiniteInARow + 1;
    if (nonFiniteInARow >= NON_FINITE_RESTART && serving != null) {
      // Finite inputs and finite steps every time before: the weights themselves went bad.
      restartFromServing(learner, nonFiniteInARow + " batches in a row with a loss or gradients that are not finite");
      nonFiniteInARow = 0;
    }
    prequential.add(result);
    counts.trained(result.samples());
    pending.clear();
    double prune = config.compression().pruneTo(trainedBefore + counts.trained(), learner.sparsity());
    if (!Double.isNaN(prune)) {
      learner.prune(prune);
    }
  }

  private boolean candidateDue() {
    if (!counts.since().somethingNew() || tuning != null) {
      return false;
    }
    return counts.since().sinceCandidate() >= config.publishEverySamples()
        || System.nanoTime() - candidateAtNanos >= config.publishInterval().toNanos();
  }

  private void candidate(StudentLearner learner, CandidateJudge judge, VersionPublisher publisher) {
    // The lineage says "trained through these offsets": learn what was read before offering it.
    train(learner);
    SinceVersion since = counts.since();
    since.candidateOffered();
    candidateAtNanos = System.nanoTime();
    List<TrainingSample> heldOutSamples = window.samples();
    CandidateJudge.Judgement judgement = judge.judge(learner, heldOutSamples);
    VersionGate.Decision decision = judgement.decision();
    counts.remember(String.format(Locale.ROOT, "%s after %,d trained: held-out agreement %.4f on %d (v%d in service:"
            + " %s), prequential %.4f: %s", decision.outcome(), trainedBefore + counts.trained(),
        judgement.score().agreement(), judgement.heldOut(), versionNumber(), judgement.servingAgreement().isPresent()
            ? String.format(Locale.ROOT, "%.4f", judgement.servingAgreement().getAsDouble()) : "none",
        prequential.agreement(), decision.reason()));
    switch (decision.outcome()) {
      case WAIT -> LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("reason", decision.reason())
          .log("candidate postponed");
      case REJECT -> {
        counts.rejected();
        LOGGER.atWarn().addKeyValue("model", config.modelName()).addKeyValue("reason", decision.reason())
            .addKeyValue("inService", versionNumber()).log("candidate rejected by the gate");
        if (serving != null && config.restartAfterRejections() > 0
            && since.rejectedInARow >= config.restartAfterRejections()) {
          restartFromServing(learner, since.rejectedInARow + " refused candidate(s) in a row");
        }
      }
      case HOLD -> {
        counts.held();
        LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("reason", decision.reason())
            .log("candidate held: not better enough to ship yet");
      }
      case PUBLISH -> publish(learner, judge, publisher, judgement, heldOutSamples, decision.reason());
    }
    updateStatus();
  }

  /**
   * The learner is worse than the version in service (refused candidates) or broken (losses that are
   * not finite): it starts again from that version rather than keep training from the worse point.
   * What it learned since is dropped, and the next version says how much (samples.discarded).
   */
  private void restartFromServing(StudentLearner learner, String why) {
    learner.restartFrom(ShippedWeights.decode(serving));
    counts.since().learningDropped();
    metrics.restarts.increment();
    counts.remember("restarted the learner from v" + versionNumber() + " after " + why + ", dropping "
        + counts.since().discarded + " samples learned since");
    LOGGER.atWarn().addKeyValue("model", config.modelName()).addKeyValue("inService", versionNumber())
        .addKeyValue("why", why).addKeyValue("discarded", counts.since().discarded)
        .log("learner restarted from the version in service");
  }

  private void serveAsSelfTeacher(StudentLearner learner, CandidateJudge judge) {
    if (config.method().selfWeight() > 0) {
      learner.selfTeacher(judge.servingModel());
    }
  }

  private void publish(StudentLearner learner, CandidateJudge judge, VersionPublisher publisher,
      CandidateJudge.Judgement judgement, List<TrainingSample> heldOutSamples, String reason) {
    Map<String, Double> versionMetrics = VersionMetrics.of(judgement, counts.since(), prequential, learner,
        trainedBefore + counts.trained(), heldOutSamples, config.compression().compresses());
    StudentModelVersion version = publisher.publish(versionNumber() + 1, judgement.weights(), versionMetrics,
        serving, through, resumedAt.committable(through), teachers, deadLetters, reason);
    judge.inService(judgement.weights().floats(), judgement.weights().quantized());
    serveAsSelfTeacher(learner, judge);
    serving = version;
    servingHeldOutAgreement = judgement.score().agreement();
    counts.published();
    onPublished.accept(version);
  }

  private long versionNumber() {
    return serving == null ? 0 : serving.getVersion();
  }

  private void updateStatus() {
    status = counts.status(deadLetters.size(), lag, versionNumber(), prequential, servingHeldOutAgreement, through);
  }

  private Map<String, Object> consumerConfig() {
    Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Only what the teacher service committed: an aborted soft label was never labelled.
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerConfig.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    consumerConfig.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    consumerConfig.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    return consumerConfig;
  }
}
