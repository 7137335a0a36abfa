package io.streamdistill.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.stack.junit.TopicRecords;
import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.VersionDeltas;
import io.streamdistill.student.VersionVerifier;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.stream.Compression;
import io.streamdistill.trainer.stream.HeldOutSlice;
import io.streamdistill.trainer.stream.OnlineTrainer;
import io.streamdistill.trainer.stream.TrainerStatus;
import io.streamdistill.trainer.stream.VersionGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on the real local stack, learning from real MNIST soft labels of the real teacher. */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class TrainerIT {
  private static final int N = 12_000;
  /**
   * Why 0.8: after one pass over 10,800 training samples (170 Adam steps) a 784-64-10 MLP agrees
   * with the teacher on about 0.88 of held-out digits here (a linear model alone gets about 92% of
   * MNIST right after full training), while an untrained or broken student agrees about 10% of the
   * time. 0.8 leaves room for the order in which the two partitions interleave.
   */
  private static final double AGREEMENT_THRESHOLD = 0.8;
  private static final KeyPair KEYS = SigningKeys.generate();
  /** Undecodable records after each slice of 300 soft labels in the kill test. */
  private static final int BAD_PER_SLICE = 7;
  private static List<SoftLabel> labels;

  @BeforeAll
  static void realSoftLabels() {
    labels = MnistSoftLabels.label(MnistSoftLabels.train(), 0, N, true);
    // What every test here learns from: a teacher that is right on MNIST's training digits (the
    // cached teacher makes about 1% errors there). A failure here is the teacher's, not the trainer's.
    long right = labels.stream().filter(l -> String.valueOf(Softmax.argMax(AvroValues.floats(
        l.getTeachers().get(0).getLogits()), 0, 10)).equals(l.getEvent().getLabel())).count();
    assertTrue(right >= 0.97 * N, "the teacher is right on only " + right + " of " + N + " training digits");
  }

  @Test
  void shouldPublishGrowingSignedVersionsWhoseHeldOutAgreementRises(LocalStack stack) throws Exception {
    Topics topics = Topics.create(stack, "learn");
    produceBadRecords(stack, topics.softLabels());
    MnistSoftLabels.produce(stack, topics.softLabels(), labels);
    TrainerConfig config = config(topics, "mnist-learn", 3_000).build();
    List<StudentModelVersion> announced = new ArrayList<>();
    try (Running running = Running.start(config, stack, announced)) {
      waitFor(() -> running.trainer().status().consumed() >= N + 3 && running.trainer().status().published() >= 3,
          Duration.ofMinutes(4), running.trainer()::status);
    }
    List<StudentModelVersion> versions = versions(stack, topics.models());
    assertTrue(versions.size() >= 3, "versions: " + versions.size());
    VersionVerifier verifier = new VersionVerifier(List.of(KEYS.getPublic()));
    for (int i = 0; i < versions.size(); i++) {
      StudentModelVersion v = versions.get(i);
      assertEquals(i + 1, v.getVersion(), "numbers grow one by one");
      assertEquals(i == 0 ? null : (Long) (long) i, v.getLineage().getParentVersion());
      verifier.verify(v); // throws with the reason if the signature or hash is wrong
      assertTrue(v.getLineage().getTeachers().get(0).getTeacherId().startsWith("mnist"), v.getLineage().toString());
    }
    double first = versions.get(0).getMetrics().get("heldout.agreement");
    double last = versions.get(versions.size() - 1).getMetrics().get("heldout.agreement");
    assertTrue(last >= AGREEMENT_THRESHOLD, "last held-out agreement " + last);
    assertTrue(last >= first, "agreement rose from " + first + " to " + last);
    assertTrue(versions.get(versions.size() - 1).getMetrics().get("heldout.accuracy") >= AGREEMENT_THRESHOLD - 0.02);

    // The three bad records went to dead letters, with the first version's transaction.
    List<DeadLetter> dead = deadLetters(stack, topics.deadLetters(), 3);
    List<String> reasons = dead.stream().map(DeadLetter::getReason).toList();
    assertTrue(reasons.stream().anyMatch(r -> r.startsWith("undecodable soft label")), reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.contains("logit 3 is NaN")), reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.contains("gave 9 logits")), reasons.toString());
    assertEquals("student-trainer", dead.get(0).getService());
  }

  @Test
  void shouldShipPrunedInt8VersionsThatTheEdgesVerifierLoads(LocalStack stack) throws Exception {
    Topics topics = Topics.create(stack, "int8");
    MnistSoftLabels.produce(stack, topics.softLabels(), labels.subList(0, 9_000));
    TrainerConfig config = config(topics, "mnist-int8", 3_000)
        .method(DistillationMethod.classic(4f, 0.9f).withSelf(0.3f))
        .compression(new Compression(0.5, 0, 4_000, true, 0.05))
        .build();
    List<StudentModelVersion> announced = new ArrayList<>();
    try (Running running = Running.start(config, stack, announced)) {
      waitFor(() -> running.trainer().status().consumed() >= 9_000 && running.trainer().status().published() >= 3,
          Duration.ofMinutes(3), running.trainer()::status);
    }
    List<StudentModelVersion> versions = versions(stack, topics.models());
    VersionVerifier verifier = new VersionVerifier(List.of(KEYS.getPublic()));
    StudentModelVersion last = versions.get(versions.size() - 1);
    assertEquals(QuantizedWeights.INT8_V1, last.getWeightsFormat());
    VersionVerifier.Verified verified = verifier.verify(last); // int8 weights, signed and hashed like any
    Map<String, Double> m = last.getMetrics();
    assertTrue(m.get("sparsity") >= 0.45, "pruned to the target by the end of the schedule: " + m);
    assertTrue(m.get("compression.agreementLoss") <= 0.05, m.toString());
    assertTrue(m.get("heldout.agreement") >= AGREEMENT_THRESHOLD, m.toString());
    assertTrue(m.containsKey("heldout.churn"), "churn against the version in service: " + m);
    double f32Bytes = 4.0 * config.spec().parameterCount();
    assertTrue(m.get("size.bytes") < f32Bytes / 3, "int8 is about 4 times smaller: " + m.get("size.bytes"));
    // The edge's int8 model answers like the float weights it was quantized from, on real digits.
    var digits = MnistSoftLabels.test();
    int agree = 0;
    for (int i = 0; i < 500; i++) {
      float[] x = digits.get(i).vector();
      agree += Softmax.argMax(verified.model().logits(StudentInput.ofVector(x)))
          == Integer.parseInt(digits.get(i).label()) ? 1 : 0;
    }
    assertTrue(agree >= 400, "int8 edge model right on " + agree + " of 500 test digits");
  }

  @Test
  void shouldRefuseACandidateThatLearnedFromPoisonedLabels(LocalStack stack) throws Exception {
    Topics topics = Topics.create(stack, "poison");
    TrainerConfig config = config(topics, "mnist-poison", 2_000).build();
    HeldOutSlice slice = new HeldOutSlice(config.heldOutPercent());
    List<StudentModelVersion> announced = new ArrayList<>();
    long served;
    try (Running running = Running.start(config, stack, announced)) {
      MnistSoftLabels.produce(stack, topics.softLabels(), labels.subList(0, N / 2));
      waitFor(() -> running.trainer().status().consumed() >= N / 2, Duration.ofMinutes(3), running.trainer()::status);
      served = running.trainer().status().version();
      assertTrue(served >= 1, "honest labels gave a version");
      // The teacher turns bad for what the student trains on; the held-out slice stays honest.
      MnistSoftLabels.produce(stack, topics.softLabels(), MnistSoftLabels.poisoned(labels.subList(N / 2, N),
          label -> !slice.isHeldOut(label.getEvent())));
      waitFor(() -> running.trainer().status().consumed() >= N && running.trainer().status().rejected() >= 2,
          Duration.ofMinutes(3), running.trainer()::status);
      TrainerStatus status = running.trainer().status();
      assertEquals(served, status.version(), "the version in service stayed");
      // A refused candidate sends the learner back to the version in service (restart after 1 by default).
      assertTrue(status.decisions().stream().anyMatch(d -> d.startsWith("restarted the learner from v" + served)),
          status.decisions().toString());
    }
    List<StudentModelVersion> versions = versions(stack, topics.models());
    assertEquals(served, versions.size(), "no version learned from poisoned labels reached the topic");
    assertEquals(served, versions.get(versions.size() - 1).getVersion());
  }

  @Test
  void shouldCloseAQuietStreamsLineageWithTheVersionInServiceAfterARefusedCandidate(LocalStack stack)
      throws Exception {
    Topics topics = Topics.create(stack, "quiet");
    TrainerConfig config = config(topics, "mnist-quiet", 20_000).publishEvery(20_000, Duration.ofSeconds(2)).build();
    HeldOutSlice slice = new HeldOutSlice(config.heldOutPercent());
    List<StudentModelVersion> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Running running = Running.start(config, stack, announced)) {
      MnistSoftLabels.produce(stack, topics.softLabels(), labels.subList(0, N / 2));
      Map<Integer, Long> honest = endOffsets(stack, topics.softLabels());
      waitFor(() -> !announced.isEmpty() && through(announced.get(announced.size() - 1)).equals(honest),
          Duration.ofMinutes(3), running.trainer()::status);
      StudentModelVersion served = announced.get(announced.size() - 1);
      // The last traffic before the stream goes quiet is poisoned: its candidate is refused and what it
      // learned dropped. No traffic follows, and still the lineage must record that it was read.
      MnistSoftLabels.produce(stack, topics.softLabels(), MnistSoftLabels.poisoned(labels.subList(N / 2, N / 2 + 3_000),
          label -> !slice.isHeldOut(label.getEvent())));
      Map<Integer, Long> end = endOffsets(stack, topics.softLabels());
      waitFor(() -> through(announced.get(announced.size() - 1)).equals(end), Duration.ofMinutes(2),
          running.trainer()::status);
      TrainerStatus status = running.trainer().status();
      assertTrue(status.rejected() >= 1, "the poisoned candidate was refused: " + status.decisions());
      StudentModelVersion closing = announced.get(announced.size() - 1);
      assertEquals(served.getVersion() + 1, closing.getVersion(), status.decisions().toString());
      assertTrue(closing.getMetrics().get("samples.discarded") > 0,
          "its samples were dropped: " + closing.getMetrics());
      List<StudentModelVersion> whole = versions(stack, topics.models());
      byte[] inService = AvroValues.bytes(whole.get((int) served.getVersion() - 1).getWeights());
      byte[] closed = AvroValues.bytes(whole.get((int) closing.getVersion() - 1).getWeights());
      assertTrue(java.util.Arrays.equals(inService, closed),
          "the closing version carries the weights in service: nothing learned from the poison");
    }
  }

  @Test
  void shouldHoldCandidatesNotBetterByTheMarginAndShipAQuietStreamsTailAfterMaxQuiet(LocalStack stack)
      throws Exception {
    Topics topics = Topics.create(stack, "paced");
    // A margin no candidate reaches after the first version: every later one waits out --max-quiet.
    Duration quiet = Duration.ofSeconds(8);
    TrainerConfig config = config(topics, "mnist-paced", 1_500).publishEvery(1_500, Duration.ofSeconds(1))
        .gate(new VersionGate(0.5, 0.01, 200).withPace(0.5, quiet)).build();
    List<Long> announcedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<StudentModelVersion> announced = new java.util.concurrent.CopyOnWriteArrayList<>() {
      @Override
      public boolean add(StudentModelVersion version) {
        announcedAt.add(System.nanoTime());
        return super.add(version);
      }
    };
    try (Running running = Running.start(config, stack, announced)) {
      MnistSoftLabels.produce(stack, topics.softLabels(), labels.subList(0, N / 2));
      Map<Integer, Long> end = endOffsets(stack, topics.softLabels());
      // Nothing follows the last soft label: only --max-quiet can ship what the held candidates learned.
      waitFor(() -> !announced.isEmpty() && through(announced.get(announced.size() - 1)).equals(end),
          Duration.ofMinutes(2), running.trainer()::status);
      TrainerStatus status = running.trainer().status();
      assertTrue(status.decisions().stream().anyMatch(d -> d.startsWith("HOLD")), "no candidate held: "
          + status.decisions());
    }
    assertTrue(announced.size() >= 2, "the first version, then the held tail: " + announced.size());
    for (int i = 1; i < announcedAt.size(); i++) {
      long apart = announcedAt.get(i) - announcedAt.get(i - 1);
      assertTrue(apart >= quiet.toNanos() - Duration.ofMillis(500).toNanos(), "v" + (i + 1) + " came "
          + apart / 1_000_000 + " ms after its parent, before --max-quiet");
    }
    // Held candidates lose nothing: the versions' lineage covers every soft label once.
    long covered = versions(stack, topics.models()).stream()
        .mapToLong(v -> v.getMetrics().get("samples.consumed").longValue()).sum();
    assertEquals(N / 2, covered);
  }

  @Test
  void shouldPublishTheTailRightAfterARestartWithoutWaitingForNewHeldOutTraffic(LocalStack stack) throws Exception {
    Topics topics = Topics.create(stack, "tail");
    MnistSoftLabels.produce(stack, topics.softLabels(), labels.subList(0, 6_000));
    TrainerConfig config = config(topics, "mnist-tail", 3_000).publishEvery(3_000, Duration.ofSeconds(2)).build();
    Map<Integer, Long> written = endOffsets(stack, topics.softLabels());
    List<StudentModelVersion> shipped = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Running first = Running.start(config, stack, shipped)) {
      // Until a version covers all 6,000: one published on the interval may leave a few consumed
      // soft labels behind it, which the restart would then rightly train on again.
      waitFor(() -> !shipped.isEmpty() && through(shipped.get(shipped.size() - 1)).equals(written),
          Duration.ofMinutes(2), first.trainer()::status);
    }
    long before = versions(stack, topics.models()).size();
    // A short tail: about 10 held-out samples, far fewer than the gate's 200. A restarted trainer must
    // judge it on the held-out samples from before its resume point, not wait for new ones.
    MnistSoftLabels.produce(stack, topics.softLabels(), labels.subList(6_000, 6_100));
    List<StudentModelVersion> announced = new ArrayList<>();
    try (Running second = Running.start(config, stack, announced)) {
      waitFor(() -> !announced.isEmpty(), Duration.ofMinutes(1), second.trainer()::status);
    }
    StudentModelVersion tail = announced.get(0);
    assertEquals(before + 1, tail.getVersion());
    assertEquals(100, tail.getMetrics().get("samples.consumed").longValue());
    assertTrue(tail.getMetrics().get("heldout.samples") >= 200, "judged on " + tail.getMetrics());
  }

  @Test
  void shouldCoverEverySoftLabelExactlyOnceInTheLineageWhenKilledAndRestarted(LocalStack stack, @TempDir Path dir)
      throws Exception {
    Topics topics = Topics.create(stack, "crash");
    SigningKeys.write(KEYS, dir.resolve(KeygenCommand.PRIVATE_FILE), dir.resolve(KeygenCommand.PUBLIC_FILE));
    // Paced (about 3,000 a second), so that the kill finds the trainer in the middle of the stream; with
    // a few undecodable records in each slice, which the trainer writes to dead letters ahead of the
    // versions (it holds at most 25), so that the kill also falls between such writes.
    Thread producer = new Thread(() -> {
      for (int from = 0; from < N; from += 300) {
        MnistSoftLabels.produce(stack, topics.softLabels(), labels.subList(from, Math.min(N, from + 300)));
        produceGarbage(stack, topics.softLabels(), BAD_PER_SLICE);
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "paced-producer");
    producer.start();
    Process trainer = startTrainer(stack, topics, dir);
    int versionsBeforeKill;
    try {
      waitFor(() -> versions(stack, topics.models()).size() >= 2, Duration.ofMinutes(3),
          () -> "waiting for 2 versions");
      // SIGKILL: no clean shutdown, whatever it had learned since its last version is lost.
      trainer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      versionsBeforeKill = versions(stack, topics.models()).size();
      trainer = startTrainer(stack, topics, dir);
      producer.join();
      Map<Integer, Long> end = endOffsets(stack, topics.softLabels());
      waitFor(() -> {
        List<StudentModelVersion> versions = versions(stack, topics.models());
        return !versions.isEmpty() && through(versions.get(versions.size() - 1)).equals(end);
      }, Duration.ofMinutes(3), () -> "waiting for a version through " + end + "; the trainer's log ends with:\n"
          + logTail(topics.softLabels(), 40));
      // A clean stop (SIGTERM, as Docker and Ctrl-C send) ends the process promptly.
      long stopping = System.nanoTime();
      trainer.destroy();
      assertTrue(trainer.waitFor(30, TimeUnit.SECONDS), "the trainer still runs 30 s after SIGTERM");
      System.out.printf("trainer stopped %d ms after SIGTERM%n", (System.nanoTime() - stopping) / 1_000_000);
    } finally {
      trainer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    List<StudentModelVersion> versions = versions(stack, topics.models());
    assertTrue(versions.size() > versionsBeforeKill, "the restarted trainer published");
    Map<Integer, List<Long>> offsets = recordOffsets(stack, topics.softLabels());
    Map<Integer, Long> previous = new TreeMap<>(Map.of(0, 0L, 1, 0L));
    long covered = 0;
    for (int i = 0; i < versions.size(); i++) {
      StudentModelVersion v = versions.get(i);
      assertEquals(i + 1, v.getVersion(), "version numbers only grow, across the restart");
      assertEquals(i == 0 ? null : (Long) (long) i, v.getLineage().getParentVersion());
      Map<Integer, Long> now = through(v);
      long records = 0;
      for (int p : now.keySet()) {
        long from = previous.get(p);
        long to = now.get(p);
        records += offsets.getOrDefault(p, List.of()).stream().filter(o -> o >= from && o < to).count();
      }
      assertEquals(records, v.getMetrics().get("samples.consumed").longValue(),
          "v" + v.getVersion() + " learned exactly the soft labels between its parent's offsets and its own");
      covered += records;
      previous = now;
    }
    assertEquals(N + BAD_PER_SLICE * (N / 300), covered, "the lineage covers every soft label once");

    // Every bad record reached dead letters exactly once, across the kill.
    Map<String, Long> perRecord = new TreeMap<>();
    for (DeadLetter l : deadLetters(stack, topics.deadLetters())) {
      perRecord.merge(l.getPartition() + "@" + l.getOffset(), 1L, Long::sum);
    }
    assertEquals(BAD_PER_SLICE * (N / 300), perRecord.size(), "bad records dead-lettered");
    assertTrue(perRecord.values().stream().allMatch(c -> c == 1), "a bad record dead-lettered twice: " + perRecord);
  }

  private static TrainerConfig.Builder config(Topics topics, String name, long publishEvery) {
    return TrainerConfig.builder(name, StudentPresets.resolve("mnist-64"), KEYS)
        .topics(topics.softLabels(), topics.models(), topics.deadLetters())
        .distillation(4f, 0.9f)
        .learningRate(0.002f)
        .batchSize(64)
        .publishEvery(publishEvery, Duration.ofMinutes(30))
        .heldOut(10, 2_000)
        .gate(new VersionGate(0.5, 0.01, 200));
  }

  /** Starts a trainer process whose output goes to target/trainer-it/, where it outlives the test. */
  private Process startTrainer(LocalStack stack, Topics topics, Path dir) throws Exception {
    Path logs = Files.createDirectories(Path.of("target", "trainer-it"));
    Path log = logs.resolve(topics.softLabels() + "-" + System.currentTimeMillis() + ".log");
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        TrainerCommand.class.getName(), "--student", "mnist-64", "--model-name", "mnist-crash",
        "--keys", dir.toString(),
        "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl(),
        "--soft-label-topic", topics.softLabels(), "--model-topic", topics.models(),
        "--dead-letter-topic", topics.deadLetters(), "--batch-size", "64", "--learning-rate", "0.002",
        "--publish-every", "1500", "--publish-interval", "3s", "--max-quiet", "5s", "--metrics-port", "-1",
        "--dead-letters-max-waiting", "25", "--dead-letters-max-wait", "1s")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** The last lines of the newest trainer log for a topic, so that a failure says what the trainer did. */
  private static String logTail(String topic, int lines) {
    try (var files = Files.list(Path.of("target", "trainer-it"))) {
      Path newest = files.filter(f -> f.getFileName().toString().startsWith(topic))
          .max(java.util.Comparator.comparing(Path::toString)).orElseThrow();
      List<String> all = Files.readAllLines(newest);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (java.io.IOException | RuntimeException e) {
      return "(no trainer log: " + e + ")";
    }
  }

  /** A trainer running on its own thread, closed (and joined) at the end of the test. */
  record Running(OnlineTrainer trainer, Thread thread) implements AutoCloseable {
    static Running start(TrainerConfig config, LocalStack stack, List<StudentModelVersion> announced) {
      OnlineTrainer trainer = new OnlineTrainer(config, stack.clientConfig(), new SimpleMeterRegistry(),
          announced::add);
      Thread thread = new Thread(trainer, "trainer-" + config.modelName());
      thread.start();
      return new Running(trainer, thread);
    }

    /** Stops the trainer and waits up to a minute for its thread; an interrupt ends the wait and stays set. */
    @Override
    public void close() {
      trainer.close();
      try {
        thread.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  record Topics(String softLabels, String models, String deadLetters) {
    static Topics create(LocalStack stack, String prefix) {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      Topics topics = new Topics(prefix + "-soft-" + suffix, prefix + "-models-" + suffix, prefix + "-dlq-" + suffix);
      stack.createTopics(List.of(new NewTopic(topics.softLabels(), 2, (short) 1),
          new NewTopic(topics.models(), 1, (short) 1)
              .configs(io.streamdistill.schemas.Topics.studentModelTopicConfig()),
          new NewTopic(topics.deadLetters(), 1, (short) 1)));
      return topics;
    }
  }

  private static void produceBadRecords(LocalStack stack, String topic) throws Exception {
    SoftLabel nan = SoftLabel.newBuilder(labels.get(0)).build();
    nan.getTeachers().get(0).getLogits().set(3, Float.NaN);
    SoftLabel narrow = SoftLabel.newBuilder(labels.get(1)).build();
    narrow.getTeachers().get(0).setLogits(narrow.getTeachers().get(0).getLogits().subList(0, 9));
    try (AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, stack.clientConfig());
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "garbage", new byte[] {0, 0, 0, 0, 1, 42})).get();
      producer.send(new ProducerRecord<>(topic, "nan", serde.serializer().serialize(topic, nan))).get();
      producer.send(new ProducerRecord<>(topic, "narrow", serde.serializer().serialize(topic, narrow))).get();
    }
  }

  private static Map<Integer, Long> through(StudentModelVersion version) {
    Map<Integer, Long> through = new TreeMap<>();
    for (InputPosition p : version.getLineage().getTrainedThrough()) {
      through.put(p.getPartition(), p.getOffset());
    }
    return through;
  }

  /** Every committed version on the topic, whole (a delta rebuilt on the version before it). */
  static List<StudentModelVersion> versions(LocalStack stack, String topic) {
    try (AvroSerde<StudentModelVersion> serde = AvroSerde.forValues(StudentModelVersion.class, stack.clientConfig())) {
      return VersionDeltas.rebuildAll(TopicRecords.readAll(stack, topic).stream()
          .map(r -> serde.deserializer().deserialize(topic, r.value())).toList());
    }
  }

  /** Every committed dead letter on the topic. */
  static List<DeadLetter> deadLetters(LocalStack stack, String topic) {
    try (AvroSerde<DeadLetter> serde = AvroSerde.forValues(DeadLetter.class, stack.clientConfig())) {
      return TopicRecords.readAll(stack, topic).stream().map(r -> serde.deserializer().deserialize(topic, r.value()))
          .toList();
    }
  }

  /** {@code count} records that are no soft label (a wrong magic byte, then garbage), each {@code size} bytes. */
  static void produceGarbage(LocalStack stack, String topic, int count, int size) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        stack.bootstrapServers(), "linger.ms", 20), new org.apache.kafka.common.serialization.StringSerializer(),
        new ByteArraySerializer())) {
      byte[] value = new byte[size];
      java.util.Arrays.fill(value, (byte) 0x7f); // magic byte 0x7f: not Confluent's framing (0)
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sent.add(producer.send(new ProducerRecord<>(topic, "garbage-" + i, value)));
      }
      for (Future<RecordMetadata> send : sent) {
        send.get(); // every record is on the topic: a dead letter missing later is the trainer's doing
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("producing garbage failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing garbage", e);
    }
  }

  private static void produceGarbage(LocalStack stack, String topic, int count) {
    produceGarbage(stack, topic, count, 6);
  }

  private static List<DeadLetter> deadLetters(LocalStack stack, String topic, int n) {
    List<DeadLetter> letters = new ArrayList<>();
    try (AvroSerde<DeadLetter> serde = AvroSerde.forValues(DeadLetter.class, stack.clientConfig());
        KafkaConsumer<String, DeadLetter> consumer =
            new KafkaConsumer<>(readCommitted(stack), new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (letters.size() < n && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> letters.add(r.value()));
      }
    }
    assertEquals(n, letters.size(), "dead letters");
    return letters;
  }

  private static Map<Integer, List<Long>> recordOffsets(LocalStack stack, String topic) {
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    for (var record : TopicRecords.readAll(stack, topic)) {
      offsets.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.offset());
    }
    return offsets;
  }

  private static Map<Integer, Long> endOffsets(LocalStack stack, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(readCommitted(stack), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<Integer, Long> end = new TreeMap<>();
      consumer.endOffsets(partitions).forEach((tp, offset) -> end.put(tp.partition(), offset));
      return end;
    }
  }

  static Map<String, Object> readCommitted(LocalStack stack) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "trainer-it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    return config;
  }

  static void waitFor(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<?> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + "; state: " + state.get());
      }
      Thread.sleep(200); // polling a condition, not waiting for time to pass
    }
  }
}
