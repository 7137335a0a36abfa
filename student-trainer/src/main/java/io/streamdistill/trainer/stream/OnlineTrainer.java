package io.streamdistill.trainer.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.schemas.TeacherRef;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VerificationException;
import io.streamdistill.student.VersionSigner;
import io.streamdistill.student.VersionVerifier;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.model.DistillationLoss;
import io.streamdistill.trainer.model.StepResult;
import io.streamdistill.trainer.model.StudentLearner;
import io.streamdistill.trainer.model.TrainingSample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
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
  private long lag;
  private long consumedSinceVersion;
  private long trainedSinceVersion;
  private long heldOutSinceVersion;
  private long deadSinceVersion;
  private long candidateAtConsumed;
  private long candidateAtNanos = System.nanoTime();
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
    this.reader = new SoftLabelReader(config.spec(), config.temperature(), config.knownTeachers());
    this.slice = new HeldOutSlice(config.heldOutPercent());
    this.signer = new VersionSigner(config.signingKeys());
    this.window = new HeldOutWindow(config.heldOutWindow());
  }

  public TrainerStatus status() {
    return status;
  }

  @Override
  public void run() {
    DistillationLoss loss = new DistillationLoss(config.temperature(), config.alpha());
    try (StudentLearner learner = new StudentLearner(config.spec(), loss, config.learningRate(), config.seed());
        StudentLearner servingEvaluator = new StudentLearner(config.spec(), loss, config.learningRate(), config.seed());
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
                candidate(learner, servingEvaluator, producer, versions, letters);
              }
            }
            items.clear();
          } else if (decoder.failure() != null) {
            throw decoder.failure();
          } else if (candidateDue()) {
            candidate(learner, servingEvaluator, producer, versions, letters);
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
      StudentWeights weights = StudentWeights.decode(AvroValues.bytes(version.getWeights()));
      learner.load(weights);
      servingEvaluator.load(weights);
      serving = version;
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
        .addKeyValue("temperature", config.temperature()).addKeyValue("alpha", config.alpha())
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
    pending.add(item.sample());
    if (pending.size() >= config.batchSize()) {
      train(learner);
    }
  }

  private void train(StudentLearner learner) {
    if (pending.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    StepResult result = learner.trainStep(pending);
    metrics.step.record(Duration.ofNanos(System.nanoTime() - started));
    prequential.add(result);
    trained += result.samples();
    trainedSinceVersion += result.samples();
    metrics.trained.increment(result.samples());
    pending.clear();
  }

  private boolean candidateDue() {
    if (consumedSinceVersion == 0 || consumedSinceVersion == candidateAtConsumed) {
      return false;
    }
    return consumedSinceVersion - candidateAtConsumed >= config.publishEverySamples()
        || System.nanoTime() - candidateAtNanos >= config.publishInterval().toNanos();
  }

  private void candidate(StudentLearner learner, StudentLearner servingEvaluator,
      KafkaProducer<String, byte[]> producer, Serializer<StudentModelVersion> versions, Serializer<DeadLetter> letters) {
    // The lineage says "trained through these offsets": learn what was read before offering it.
    train(learner);
    candidateAtConsumed = consumedSinceVersion;
    candidateAtNanos = System.nanoTime();
    List<TrainingSample> heldOutSamples = window.samples();
    StepResult candidateScore = learner.evaluate(heldOutSamples, EVALUATION_CHUNK);
    OptionalDouble servingAgreement = serving == null ? OptionalDouble.empty()
        : OptionalDouble.of(servingEvaluator.evaluate(heldOutSamples, EVALUATION_CHUNK).agreement());
    VersionGate.Decision decision = config.gate().decide(heldOutSamples.size(), candidateScore.agreement(),
        servingAgreement);
    switch (decision.outcome()) {
      case WAIT -> LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("reason", decision.reason())
          .log("candidate postponed");
      case REJECT -> {
        rejected++;
        metrics.rejected.increment();
        LOGGER.atWarn().addKeyValue("model", config.modelName()).addKeyValue("reason", decision.reason())
            .addKeyValue("inService", versionNumber()).log("candidate rejected by the gate");
      }
      case PUBLISH -> publish(learner, servingEvaluator, producer, versions, letters, candidateScore,
          heldOutSamples.size(), decision.reason());
    }
    updateStatus();
  }

  private void publish(StudentLearner learner, StudentLearner servingEvaluator,
      KafkaProducer<String, byte[]> producer, Serializer<StudentModelVersion> versions, Serializer<DeadLetter> letters, StepResult score, int heldOutSize,
      String reason) {
    long number = versionNumber() + 1;
    StudentWeights weights = learner.weights();
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
    if (score.labelled() > 0) {
      versionMetrics.put("heldout.accuracy", score.accuracy());
    }
    double preAgreement = prequential.agreement();
    if (!Double.isNaN(preAgreement)) {
      versionMetrics.put("prequential.agreement", preAgreement);
    }
    double preAccuracy = prequential.accuracy();
    if (!Double.isNaN(preAccuracy)) {
      versionMetrics.put("prequential.accuracy", preAccuracy);
    }
    versionMetrics.put("samples.consumed", (double) consumedSinceVersion);
    versionMetrics.put("samples.trained", (double) trainedSinceVersion);
    versionMetrics.put("samples.heldout", (double) heldOutSinceVersion);
    versionMetrics.put("samples.dead", (double) deadSinceVersion);
    versionMetrics.put("distill.temperature", (double) config.temperature());
    versionMetrics.put("distill.alpha", (double) config.alpha());
    StudentModelVersion version = signer.sign(StudentModelVersion.newBuilder()
        .setModelName(config.modelName())
        .setVersion(number)
        .setCreatedAt(Instant.now())
        .setArchitecture(config.spec().toJson())
        .setClasses(config.spec().classes())
        .setWeightsFormat(StudentWeights.F32_V1)
        .setWeights(ByteBuffer.wrap(weights.encode()))
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
    serving = version;
    servingHeldOutAgreement = score.agreement();
    published++;
    metrics.published.increment();
    deadLetters.clear();
    consumedSinceVersion = 0;
    trainedSinceVersion = 0;
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

  private long versionNumber() {
    return serving == null ? 0 : serving.getVersion();
  }

  private void updateStatus() {
    status = new TrainerStatus(consumed, trained, heldOut, dead, skipped, lag, versionNumber(), published, rejected,
        prequential.agreement(), prequential.accuracy(), servingHeldOutAgreement);
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
