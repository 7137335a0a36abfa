package io.streamdistill.trainer.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.schemas.TeacherRef;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.student.Pruning;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VerificationException;
import io.streamdistill.student.VersionSigner;
import io.streamdistill.student.VersionVerifier;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.model.StepResult;
import io.streamdistill.trainer.model.StudentLearner;
import io.streamdistill.trainer.model.TemperatureAlphaSearch;
import io.streamdistill.trainer.model.TrainingSample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online distillation loop: reads soft labels, learns from them in mini-batches (each batch
 * scored before it is learned), keeps a held-out slice apart, and every N samples or T seconds
 * offers the current student as a candidate; the gate decides, and a published version goes out
 * in one Kafka transaction with the dead letters since the last version and the consumed offsets.
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
 */
public final class OnlineTrainer implements Runnable, AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(OnlineTrainer.class);
  private static final String SERVICE = "student-trainer";
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final int EVALUATION_CHUNK = 512;
  private static final int QUEUE_CAPACITY = 4_096;
  /** Batches in a row whose loss is not finite after which the learner restarts from the version in service. */
  private static final int NON_FINITE_RESTART = 3;
  /** How many of the gate's decisions the status keeps. */
  private static final int DECISIONS_KEPT = 8;
  /** Training samples automated tuning searches on before the first step. */
  static final int AUTO_TUNE_SAMPLES = 2_000;

  private final TrainerConfig config;
  private final Map<String, Object> clientConfig;
  private final TrainerMetrics metrics;
  private final Consumer<StudentModelVersion> onPublished;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SoftLabelReader reader;
  private final HeldOutSlice slice;
  private final VersionSigner signer;
  private volatile SoftLabelDecoder decoder;
  private volatile TrainerStatus status = TrainerStatus.initial();

  // Owned by the run() thread.
  private final List<TrainingSample> pending = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private final HeldOutWindow window;
  private final SlidingScore prequential = new SlidingScore(5_000);
  private final Map<String, String> teachers = new TreeMap<>();
  /** Per soft-label partition, the consumer position the trained samples reach (the next version's lineage). */
  private final Map<Integer, Long> through = new TreeMap<>();
  private long consumed;
  private long trained;
  private long heldOut;
  private long dead;
  private long skipped;
  private long published;
  private long rejected;
  /** The gate's last decisions, the oldest first; copied for the status only when one is added. */
  private final ArrayDeque<String> decisions = new ArrayDeque<>();
  private List<String> decisionsSnapshot = List.of();
  private long lag;
  private long consumedSinceVersion;
  private long trainedSinceVersion;
  /** Samples trained on since the version in service whose learning a restart dropped. */
  private long discardedSinceVersion;
  private int rejectedInARow;
  private int nonFiniteInARow;
  private long heldOutSinceVersion;
  private long deadSinceVersion;
  private long candidateAtConsumed;
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
    DistillationMethod method = config.method();
    this.reader = new SoftLabelReader(config.spec(), method.combination(), method.requiredEmbeddingWidth(),
        config.knownTeachers());
    this.tuning = method.autoTune() ? new ArrayList<>() : null;
    this.slice = new HeldOutSlice(config.heldOutPercent());
    this.signer = new VersionSigner(config.signingKeys());
    this.window = new HeldOutWindow(config.heldOutWindow());
  }

  public TrainerStatus status() {
    return status;
  }

  @Override
  public void run() {
    DistillationMethod method = config.method();
    try (StudentLearner learner = new StudentLearner(config.spec(), method, config.learning(), config.seed());
        StudentLearner servingEvaluator = new StudentLearner(config.spec(), method, config.learningRate(),
            config.seed());
        StudentLearner shippedEvaluator = config.compression().int8()
            ? new StudentLearner(config.spec(), method, config.learningRate(), config.seed()) : null;
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
            new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> kafkaConsumer = new KafkaConsumer<>(consumerConfig(),
            new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AvroSerde<SoftLabel> labelSerde = AvroSerde.forValues(SoftLabel.class, clientConfig);
        AvroSerde<StudentModelVersion> versionSerde = AvroSerde.forValues(StudentModelVersion.class, clientConfig);
        AvroSerde<DeadLetter> letterSerde = AvroSerde.forValues(DeadLetter.class, clientConfig)) {
      Deserializer<SoftLabel> labels = labelSerde.deserializer();
      Serializer<StudentModelVersion> versions = versionSerde.serializer();
      Serializer<DeadLetter> letters = letterSerde.serializer();
      // Fences any earlier instance with our transactional id and aborts its open transaction.
      producer.initTransactions();
      resume(learner, servingEvaluator, kafkaConsumer);
      refillHeldOut(labels);
      BlockingQueue<SoftLabelDecoder.Item> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
      decoder = new SoftLabelDecoder(kafkaConsumer, labels, reader, slice, queue, closed);
      Thread reading = new Thread(decoder, "trainer-reader-" + config.modelName());
      reading.setDaemon(true);
      reading.start();
      try {
        long progressAt = System.nanoTime() + PROGRESS_EVERY.toNanos();
        long lastConsumed = 0;
        long lastProgress = System.nanoTime();
        List<SoftLabelDecoder.Item> items = new ArrayList<>(QUEUE_CAPACITY);
        while (!closed.get()) {
          SoftLabelDecoder.Item first = queue.poll(200, TimeUnit.MILLISECONDS);
          if (first != null) {
            items.add(first);
            queue.drainTo(items, QUEUE_CAPACITY);
            for (SoftLabelDecoder.Item item : items) {
              process(item, learner);
              // Checked after each record, so that "every N samples" means exactly N.
              if (candidateDue()) {
                candidate(learner, servingEvaluator, shippedEvaluator, producer, versions, letters);
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
            candidate(learner, servingEvaluator, shippedEvaluator, producer, versions, letters);
          }
          lag = decoder.lastLag() + queue.size();
          updateStatus();
          if (System.nanoTime() >= progressAt) {
            long now = System.nanoTime();
            double rate = (consumed - lastConsumed) / ((now - lastProgress) / 1e9);
            lastConsumed = consumed;
            lastProgress = now;
            progressAt = now + PROGRESS_EVERY.toNanos();
            LOGGER.info(progressLine(rate));
          }
        }
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
          .addKeyValue("consumed", consumed).log("trainer stopped");
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

  private void resume(StudentLearner learner, StudentLearner servingEvaluator, KafkaConsumer<byte[], byte[]> kafkaConsumer) {
    Optional<StudentModelVersion> latest = VersionHistory.latest(clientConfig, config.modelTopic(), config.modelName(),
        Duration.ofSeconds(60));
    Map<TopicPartition, Long> resumeAt = new HashMap<>();
    if (latest.isPresent()) {
      StudentModelVersion version = latest.get();
      List<java.security.PublicKey> trusted = new ArrayList<>(config.trustedKeys());
      trusted.add(config.signingKeys().getPublic());
      VersionVerifier.Verified verified;
      try {
        verified = new VersionVerifier(trusted).verify(version);
      } catch (VerificationException e) {
        throw new IllegalStateException("cannot resume from the last published version: " + e.getMessage()
            + " (trust its key with --trust-key, or publish under a new model name)", e);
      }
      if (!verified.model().spec().equals(config.spec())) {
        throw new IllegalStateException("the last published version of " + config.modelName() + " (v"
            + version.getVersion() + ") has architecture " + version.getArchitecture() + ", not the configured "
            + config.spec().toJson() + "; publish a new architecture under a new model name");
      }
      StudentWeights weights = ShippedWeights.decode(version);
      learner.load(weights);
      servingEvaluator.load(weights);
      serveAsSelfTeacher(learner, servingEvaluator);
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
      for (InputPosition p : version.getLineage().getTrainedThrough()) {
        if (p.getTopic().equals(config.softLabelTopic())) {
          resumeAt.put(new TopicPartition(p.getTopic(), p.getPartition()), p.getOffset());
        }
      }
    }
    List<PartitionInfo> partitions = kafkaConsumer.partitionsFor(config.softLabelTopic(), Duration.ofSeconds(60));
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalStateException("topic " + config.softLabelTopic() + " does not exist");
    }
    List<TopicPartition> assigned = partitions.stream()
        .map(p -> new TopicPartition(config.softLabelTopic(), p.partition()))
        .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    kafkaConsumer.assign(assigned);
    Map<TopicPartition, OffsetAndMetadata> committed = kafkaConsumer.committed(new java.util.HashSet<>(assigned),
        Duration.ofSeconds(60));
    for (TopicPartition tp : assigned) {
      Long offset = resumeAt.get(tp);
      OffsetAndMetadata group = committed.get(tp);
      if (offset != null) {
        // The lineage is the truth: the offsets were committed with it, in the same transaction.
        if (group != null && group.offset() != offset) {
          LOGGER.atWarn().addKeyValue("partition", tp.partition()).addKeyValue("lineageOffset", offset)
              .addKeyValue("groupOffset", group.offset())
              .log("group offset differs from the last version's lineage; resuming at the lineage");
        }
        kafkaConsumer.seek(tp, offset);
      } else if (group != null) {
        kafkaConsumer.seek(tp, group.offset());
      } else {
        kafkaConsumer.seekToBeginning(List.of(tp));
      }
    }
    for (TopicPartition tp : assigned) {
      through.put(tp.partition(), kafkaConsumer.position(tp));
    }

    LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("kind", config.spec().kind())
        .addKeyValue("resumedFrom", serving == null ? "nothing (first version)" : "v" + serving.getVersion())
        .addKeyValue("topic", config.softLabelTopic()).addKeyValue("partitions", assigned.size())
        .addKeyValue("method", learner.method().describe()).addKeyValue("compression", config.compression())
        .log("trainer started");
    candidateAtNanos = System.nanoTime();
    updateStatus();
  }

  /**
   * Refills the held-out window from the soft labels just before the resume point, so that a
   * restarted trainer can judge its next candidate at once instead of waiting for new held-out
   * traffic (which may never come if the stream has ended). Held-out samples are never trained on,
   * so reading them again changes no lineage.
   */
  private void refillHeldOut(Deserializer<SoftLabel> labels) {
    if (through.values().stream().allMatch(offset -> offset == 0)) {
      return;
    }
    // Enough records, at the held-out share, to fill the window; at most 100,000 per partition.
    long lookback = Math.min(100_000, (long) Math.ceil(config.heldOutWindow() * 100.0 / config.heldOutPercent()
        / through.size()));
    Map<String, Object> readerConfig = new HashMap<>(consumerConfig());
    readerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
    int refilled = 0;
    try (KafkaConsumer<byte[], byte[]> past = new KafkaConsumer<>(readerConfig, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = through.keySet().stream()
          .map(p -> new TopicPartition(config.softLabelTopic(), p)).toList();
      past.assign(partitions);
      Map<TopicPartition, Long> beginning = past.beginningOffsets(partitions, Duration.ofSeconds(30));
      for (TopicPartition tp : partitions) {
        past.seek(tp, Math.max(beginning.get(tp), through.get(tp.partition()) - lookback));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline
          && partitions.stream().anyMatch(tp -> past.position(tp) < through.get(tp.partition()))) {
        for (var record : past.poll(Duration.ofMillis(200))) {
          if (record.offset() >= through.get(record.partition())) {
            continue;
          }
          try {
            SoftLabel label = labels.deserialize(record.topic(), record.value());
            if (label != null && !SoftLabelReader.isLateLabel(label) && slice.isHeldOut(label.getEvent().getId())) {
              window.add(reader.read(label));
              refilled++;
            }
          } catch (RuntimeException | BadSoftLabelException e) {
            // Dead-lettered when it was first read; nothing to evaluate on.
          }
        }
      }
    }
    LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("heldOut", refilled)
        .log("held-out window refilled from before the resume point");
  }

  private void process(SoftLabelDecoder.Item item, StudentLearner learner) {
    if (item.positionOnly()) {
      through.put(item.partition(), item.positionAfter());
      return;
    }
    // Past this record; and past any transaction markers after it when it ended its poll.
    through.put(item.partition(), Math.max(item.offset() + 1, item.positionAfter()));
    consumed++;
    consumedSinceVersion++;
    metrics.consumed.increment();
    if (item.deadLetter() != null) {
      dead++;
      deadSinceVersion++;
      metrics.deadLetters.increment();
      deadLetters.add(item.deadLetter());
      return;
    }
    if (item.skipped()) {
      skipped++;
      return;
    }
    for (TeacherOutput t : item.teachers()) {
      teachers.put(t.getTeacherId(), t.getTeacherVersion());
    }
    if (item.heldOut()) {
      window.add(item.sample());
      heldOut++;
      heldOutSinceVersion++;
      metrics.heldOut.increment();
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
    StepResult result = learner.trainStep(pending);
    metrics.step.record(Duration.ofNanos(System.nanoTime() - started));
    nonFiniteInARow = Double.isFinite(result.loss()) ? 0 : nonFiniteInARow + 1;
    if (nonFiniteInARow >= NON_FINITE_RESTART && serving != null) {
      // Finite inputs and a finite loss every time before: the weights themselves went bad.
      restartFromServing(learner, nonFiniteInARow + " batches in a row with a loss that is not finite");
      nonFiniteInARow = 0;
    }
    prequential.add(result);
    trained += result.samples();
    trainedSinceVersion += result.samples();
    metrics.trained.increment(result.samples());
    pending.clear();
    double prune = config.compression().pruneTo(trainedBefore + trained, learner.sparsity());
    if (!Double.isNaN(prune)) {
      learner.prune(prune);
    }
  }

  private boolean candidateDue() {
    if (consumedSinceVersion == 0 || consumedSinceVersion == candidateAtConsumed || tuning != null) {
      return false;
    }
    return consumedSinceVersion - candidateAtConsumed >= config.publishEverySamples()
        || System.nanoTime() - candidateAtNanos >= config.publishInterval().toNanos();
  }

  private void candidate(StudentLearner learner, StudentLearner servingEvaluator, StudentLearner shippedEvaluator,
      KafkaProducer<String, byte[]> producer, Serializer<StudentModelVersion> versions, Serializer<DeadLetter> letters) {
    // The lineage says "trained through these offsets": learn what was read before offering it.
    train(learner);
    candidateAtConsumed = consumedSinceVersion;
    candidateAtNanos = System.nanoTime();
    List<TrainingSample> heldOutSamples = window.samples();
    // One pass over the held-out window per student: the scores and the churn come from the same predictions.
    int[] floatPredicted = learner.predictions(heldOutSamples, EVALUATION_CHUNK);
    StepResult floatScore = StepResult.of(heldOutSamples, floatPredicted, Double.NaN);
    ShippedWeights shipped = ShippedWeights.of(learner.weights(), config.compression().int8());
    // What ships is what is judged: the int8 weights when the versions are quantized.
    int[] shippedPredicted = floatPredicted;
    if (shippedEvaluator != null) {
      shippedEvaluator.load(shipped.floats());
      shippedPredicted = shippedEvaluator.predictions(heldOutSamples, EVALUATION_CHUNK);
    }
    StepResult candidateScore = StepResult.of(heldOutSamples, shippedPredicted, Double.NaN);
    int[] servingPredicted = serving == null ? null : servingEvaluator.predictions(heldOutSamples, EVALUATION_CHUNK);
    OptionalDouble servingAgreement = servingPredicted == null ? OptionalDouble.empty()
        : OptionalDouble.of(StepResult.of(heldOutSamples, servingPredicted, Double.NaN).agreement());
    VersionGate.Decision decision = config.gate().decideCompressed(heldOutSamples.size(), candidateScore.agreement(),
        floatScore.agreement(), config.compression().maxLoss(), servingAgreement);
    double churn = servingPredicted == null || heldOutSamples.isEmpty() ? Double.NaN
        : StepResult.churn(servingPredicted, shippedPredicted);
    remember(String.format(Locale.ROOT, "%s after %,d trained: held-out agreement %.4f on %d (v%d in service: %s),"
            + " prequential %.4f: %s", decision.outcome(), trainedBefore + trained, candidateScore.agreement(),
        heldOutSamples.size(), versionNumber(), servingAgreement.isPresent()
            ? String.format(Locale.ROOT, "%.4f", servingAgreement.getAsDouble()) : "none",
        prequential.agreement(), decision.reason()));
    switch (decision.outcome()) {
      case WAIT -> LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("reason", decision.reason())
          .log("candidate postponed");
      case REJECT -> {
        rejected++;
        rejectedInARow++;
        metrics.rejected.increment();
        LOGGER.atWarn().addKeyValue("model", config.modelName()).addKeyValue("reason", decision.reason())
            .addKeyValue("inService", versionNumber()).log("candidate rejected by the gate");
        if (serving != null && config.restartAfterRejections() > 0
            && rejectedInARow >= config.restartAfterRejections()) {
          restartFromServing(learner, rejectedInARow + " refused candidate(s) in a row");
        }
      }
      case PUBLISH -> publish(learner, servingEvaluator, producer, versions, letters, candidateScore,
          new Shipping(shipped, floatScore.agreement() - candidateScore.agreement(),
              floatScore.accuracy() - candidateScore.accuracy(), churn), heldOutSamples.size(),
          decision.reason());
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
    discardedSinceVersion = trainedSinceVersion;
    rejectedInARow = 0;
    metrics.restarts.increment();
    remember("restarted the learner from v" + versionNumber() + " after " + why + ", dropping "
        + discardedSinceVersion + " samples learned since");
    LOGGER.atWarn().addKeyValue("model", config.modelName()).addKeyValue("inService", versionNumber())
        .addKeyValue("why", why).addKeyValue("discarded", discardedSinceVersion)
        .log("learner restarted from the version in service");
  }

  /** What a published version ships and what shipping it cost. */
  private record Shipping(ShippedWeights weights, double agreementLoss, double accuracyLoss, double churn) {}

  private static void putIfKnown(Map<String, Double> metrics, String name, double value) {
    if (!Double.isNaN(value)) {
      metrics.put(name, value);
    }
  }

  private void serveAsSelfTeacher(StudentLearner learner, StudentLearner servingEvaluator) {
    if (config.method().selfWeight() > 0) {
      learner.selfTeacher(servingEvaluator);
    }
  }

  private void publish(StudentLearner learner, StudentLearner servingEvaluator,
      KafkaProducer<String, byte[]> producer, Serializer<StudentModelVersion> versions, Serializer<DeadLetter> letters,
      StepResult score, Shipping shipping, int heldOutSize, String reason) {
    long number = versionNumber() + 1;
    StudentWeights weights = shipping.weights().floats();
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    List<InputPosition> trainedThrough = new ArrayList<>();
    for (var entry : through.entrySet()) {
      TopicPartition tp = new TopicPartition(config.softLabelTopic(), entry.getKey());
      offsets.put(tp, new OffsetAndMetadata(entry.getValue(), config.modelName() + " v" + number));
      trainedThrough.add(new InputPosition(tp.topic(), tp.partition(), entry.getValue()));
    }
    Map<String, Double> versionMetrics = new TreeMap<>();
    versionMetrics.put("heldout.agreement", score.agreement());
    versionMetrics.put("heldout.samples", (double) heldOutSize);
    putIfKnown(versionMetrics, "heldout.accuracy", score.accuracy());
    putIfKnown(versionMetrics, "prequential.agreement", prequential.agreement());
    putIfKnown(versionMetrics, "prequential.accuracy", prequential.accuracy());
    versionMetrics.put("samples.consumed", (double) consumedSinceVersion);
    versionMetrics.put("samples.trained", (double) trainedSinceVersion);
    versionMetrics.put("samples.discarded", (double) discardedSinceVersion);
    versionMetrics.put("steps.nonFinite", (double) learner.nonFiniteSteps());
    versionMetrics.put("samples.heldout", (double) heldOutSinceVersion);
    versionMetrics.put("samples.dead", (double) deadSinceVersion);
    versionMetrics.put("samples.trained.total", (double) (trainedBefore + trained));
    DistillationMethod method = learner.method();
    versionMetrics.put("distill.temperature", (double) method.temperature());
    versionMetrics.put("distill.alpha", (double) method.alpha());
    versionMetrics.put("distill.alpha.now", (double) learner.fadedAlpha());
    putIfKnown(versionMetrics, "teacher.accuracy.measured", learner.measuredTeacherAccuracy());
    putIfKnown(versionMetrics, "heldout.churn", shipping.churn());
    if (method.needsEmbedding()) {
      double[] errors = learner.representationErrors(window.samples());
      putIfKnown(versionMetrics, "heldout.hintError", errors[0]);
      putIfKnown(versionMetrics, "heldout.relationalError", errors[1]);
    }
    versionMetrics.put("size.bytes", (double) shipping.weights().bytes().length);
    versionMetrics.put("sparsity", Pruning.sparsity(weights));
    if (config.compression().compresses()) {
      versionMetrics.put("compression.agreementLoss", shipping.agreementLoss());
      putIfKnown(versionMetrics, "compression.accuracyLoss", shipping.accuracyLoss());
    }
    StudentModelVersion version = signer.sign(StudentModelVersion.newBuilder()
        .setModelName(config.modelName())
        .setVersion(number)
        .setCreatedAt(Instant.now())
        .setArchitecture(config.spec().toJson())
        .setClasses(config.spec().classes())
        .setWeightsFormat(shipping.weights().format())
        .setWeights(ByteBuffer.wrap(shipping.weights().bytes()))
        .setWeightsSha256("")
        .setMetrics(versionMetrics)
        .setLineage(Lineage.newBuilder()
            .setParentVersion(serving == null ? null : serving.getVersion())
            .setTrainedThrough(trainedThrough)
            .setTeachers(teachers.entrySet().stream().map(e -> new TeacherRef(e.getKey(), e.getValue())).toList())
            .build())
        .setSignature(ByteBuffer.allocate(0))
        .setSigningKeyId("")
        .build());
    byte[] value = versions.serialize(config.modelTopic(), version);
    if (value.length > Topics.STUDENT_MODEL_MAX_BYTES) {
      throw new IllegalStateException("version " + number + " is " + value.length + " bytes, over the "
          + Topics.STUDENT_MODEL_MAX_BYTES + " the models topic carries: choose a smaller student");
    }
    long started = System.nanoTime();
    producer.beginTransaction();
    try {
      for (DeadLetter letter : deadLetters) {
        producer.send(new ProducerRecord<>(config.deadLetterTopic(), null, letters.serialize(config.deadLetterTopic(),
            letter)));
      }
      producer.send(new ProducerRecord<>(config.modelTopic(), config.modelName(), value));
      producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(config.groupId()));
      producer.commitTransaction();
    } catch (RuntimeException e) {
      // Whatever the cause, the outcome may be unknown: stop, and let the restart read what was committed.
      try {
        producer.abortTransaction();
      } catch (RuntimeException ignored) {
        // Fenced or broken: nothing more to do here.
      }
      throw new IllegalStateException("publishing version " + number + " failed; restart the trainer to resume from"
          + " the last committed version: " + e.getMessage(), e);
    }
    servingEvaluator.load(weights);
    serveAsSelfTeacher(learner, servingEvaluator);
    serving = version;
    servingHeldOutAgreement = score.agreement();
    published++;
    metrics.published.increment();
    deadLetters.clear();
    consumedSinceVersion = 0;
    trainedSinceVersion = 0;
    discardedSinceVersion = 0;
    rejectedInARow = 0;
    heldOutSinceVersion = 0;
    deadSinceVersion = 0;
    candidateAtConsumed = 0;
    LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("version", number)
        .addKeyValue("heldOutAgreement", String.format(Locale.ROOT, "%.4f", score.agreement()))
        .addKeyValue("heldOut", heldOutSize).addKeyValue("bytes", value.length)
        .addKeyValue("samples", versionMetrics.get("samples.consumed").longValue()).addKeyValue("why", reason)
        .addKeyValue("commitMillis", (System.nanoTime() - started) / 1_000_000).log("version published");
    onPublished.accept(version);
  }

  private void remember(String decision) {
    decisions.addLast(decision);
    while (decisions.size() > DECISIONS_KEPT) {
      decisions.removeFirst();
    }
    decisionsSnapshot = List.copyOf(decisions);
  }

  private long versionNumber() {
    return serving == null ? 0 : serving.getVersion();
  }

  private void updateStatus() {
    status = new TrainerStatus(consumed, trained, heldOut, dead, skipped, lag, versionNumber(), published, rejected,
        prequential.agreement(), prequential.accuracy(), servingHeldOutAgreement, decisionsSnapshot);
  }

  private String progressLine(double rate) {
    TrainerStatus s = status;
    return String.format(Locale.ROOT, "%s: consumed %,d (%,.0f/s), trained %,d, held out %,d, dead %,d, lag %,d"
            + " | v%d (held-out agreement %.3f), prequential agreement %.3f, accuracy %.3f | published %d, rejected %d",
        config.modelName(), s.consumed(), rate, s.trained(), s.heldOut(), s.deadLetters(), s.lag(), s.version(),
        s.heldOutAgreement(), s.prequentialAgreement(), s.prequentialAccuracy(), s.published(), s.rejected());
  }

  private Map<String, Object> producerConfig() {
    Map<String, Object> producer = new HashMap<>(clientConfig);
    producer.putAll(Topics.studentModelProducerConfig());
    producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
    producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    // Large versions take a while to send on a busy broker.
    producer.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    producer.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    producer.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 300_000);
    return producer;
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
