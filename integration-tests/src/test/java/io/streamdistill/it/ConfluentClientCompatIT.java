package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.edge.EdgeAnswer;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.it.ConfluentJs.Read;
import io.streamdistill.it.ConfluentJs.ReadJob;
import io.streamdistill.it.ConfluentJs.WriteJob;
import io.streamdistill.it.ConfluentJs.Written;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.schemas.TeacherRef;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.AvroSerializer;
import io.streamdistill.serde.WireFormat;
import io.streamdistill.serde.registry.RegisteredSchema;
import io.streamdistill.serde.registry.RestSchemaRegistryClient;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VersionSigner;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.TeacherService;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.streams.LabellingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confluent's own clients against the services, in both directions: Confluent's JavaScript Schema
 * Registry client with its Avro serializer and deserializer ({@code @confluentinc/schemaregistry},
 * pinned by the lock file of {@code src/test/node/confluent-compat}) and kafkajs, on the same broker
 * and registry as the services. Records the project's serde and services write are read by
 * Confluent's deserializer with equal field values; records Confluent's serializer writes are read by
 * the project's serde, labelled by the teacher service and loaded by an edge node; and both keep
 * reading when either side evolves a schema compatibly.
 *
 * <p>Needs npm (and node): {@code npm ci} installs the pinned packages into {@code
 * target/confluent-compat} once. Without npm the tests are skipped, saying so; CI installs it.
 */
@Tag("integration")
// Minutes only where this class is the first to need the MNIST teacher on a machine (trained once, then cached).
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class ConfluentClientCompatIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
  private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  /** InputEvent as a Node.js producer might evolve it: a field with a default, which BACKWARD allows. */
  private static final Schema INPUT_EVENT_WITH_TENANT = new Schema.Parser().parse(InputEvent.getClassSchema().toString()
      .replaceFirst("\\{\"name\":\"id\"",
          "{\"name\":\"tenant\",\"type\":\"string\",\"default\":\"acme\"},{\"name\":\"id\""));

  private static ConfluentJs js;

  @BeforeAll
  static void installConfluentsClient() throws Exception {
    Optional<ConfluentJs> installed = ConfluentJs.installed();
    assumeTrue(installed.isPresent(), "npm (with node) is not on the PATH, so Confluent's JavaScript client cannot be"
        + " installed; skipping the compatibility checks (.ci/run installs npm)");
    js = installed.get();
  }

  @Test
  void shouldReadEveryRecordTheProjectsSerdeWritesWithConfluentsDeserializer(LocalStack stack) throws Exception {
    Map<String, List<SpecificRecord>> byTopic = new LinkedHashMap<>();
    AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(); // registers each type under its topic
    serializer.configure(stack.clientConfig(), false);
    try (KafkaProducer<String, SpecificRecord> producer =
        new KafkaProducer<>(Clients.producerConfig(stack), new StringSerializer(), serializer)) {
      for (List<SpecificRecord> records : samplesOfEveryType()) {
        String topic = Clients.newTopic(stack, "js-reads-" + records.get(0).getSchema().getName());
        byTopic.put(topic, records);
        for (int i = 0; i < records.size(); i++) {
          producer.send(new ProducerRecord<>(topic, "key-" + i, records.get(i))).get(30, TimeUnit.SECONDS);
        }
      }
    }

    List<Read> read = js.read(stack, byTopic.entrySet().stream()
        .map(e -> ReadJob.of(e.getKey(), e.getValue().size())).toList(), WAIT);

    for (var entry : byTopic.entrySet()) {
      List<Read> got = inOrder(read, entry.getKey());
      List<SpecificRecord> sent = entry.getValue();
      assertEquals(sent.size(), got.size(), entry.getKey());
      Schema schema = sent.get(0).getSchema();
      for (int i = 0; i < sent.size(); i++) {
        assertNull(got.get(i).error(), () -> "Confluent's deserializer refused a record of " + entry.getKey());
        assertEquals("key-" + i, got.get(i).key());
        assertEquals(latest(stack, entry.getKey()).id(), got.get(i).schemaId());
        assertEquals(AvroJson.toJson(schema, sent.get(i)), AvroJson.canonical(schema, got.get(i).value()),
            schema.getName() + " #" + i + " as Confluent's deserializer read it");
      }
    }
  }

  @Test
  void shouldReadEveryRecordConfluentsSerializerWritesWithTheProjectsSerde(LocalStack stack) throws Exception {
    RestSchemaRegistryClient registry = registry(stack);
    Map<String, List<SpecificRecord>> byTopic = new LinkedHashMap<>();
    List<WriteJob> jobs = new ArrayList<>();
    for (List<SpecificRecord> records : samplesOfEveryType()) {
      Schema schema = records.get(0).getSchema();
      // The application registers the schema itself ...
      String registered = Clients.newTopic(stack, "js-writes-" + schema.getName());
      jobs.add(WriteJob.register(registered, schema, keyed(records)));
      byTopic.put(registered, records);
      // ... or writes with the latest version, which a deployment step registered (here: the project's client).
      String latest = Clients.newTopic(stack, "js-writes-latest-" + schema.getName());
      registry.register(Topics.valueSubject(latest), schema);
      jobs.add(WriteJob.latest(latest, keyed(records)));
      byTopic.put(latest, records);
    }
    // Confluent's JS serializer with auto.register.schemas registers a schema it infers from the value
    // (a record named Record1, numbers as int or float), not the contract's: the registry refuses it.
    String inferred = Clients.newTopic(stack, "js-writes-inferred");
    registry.register(Topics.valueSubject(inferred), InputEvent.getClassSchema());
    jobs.add(WriteJob.autoRegister(inferred, InputEvent.getClassSchema(), keyed(List.of(SampleRecords.inputEvent()))));

    List<Written> written = js.write(stack, jobs);

    for (Written result : written.subList(0, written.size() - 1)) {
      assertNull(result.error(), () -> "Confluent's serializer (" + result.mode() + ") on " + result.topic());
      assertEquals(latest(stack, result.topic()).id(), result.schemaId(), result.topic());
    }
    for (var entry : byTopic.entrySet()) {
      List<SpecificRecord> sent = entry.getValue();
      List<ConsumerRecord<String, SpecificRecord>> got = consume(stack, entry.getKey(), serde(stack, sent.get(0)),
          sent.size());
      assertEquals(sent, got.stream().map(ConsumerRecord::value).toList(),
          sent.get(0).getSchema().getName() + " written by Confluent's serializer on " + entry.getKey());
      assertEquals(keyed(sent).stream().map(Map.Entry::getKey).toList(),
          got.stream().map(ConsumerRecord::key).toList());
    }
    Written refused = written.get(written.size() - 1);
    assertNotNull(refused.error(), "the inferred schema was registered: " + refused);
    assertTrue(refused.error().startsWith("HTTP 409"), refused.error());
    assertEquals(1, latest(stack, inferred).version(), "nothing was registered");
    assertEquals(0L, endOffset(stack, inferred), "nothing was written");
  }

  @Test
  void shouldLabelInputEventsThatConfluentsSerializerWrote(LocalStack stack, @TempDir Path state) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String input = "js-teacher-in-" + suffix;
    String labels = "js-teacher-out-" + suffix;
    String dead = "js-teacher-dlq-" + suffix;
    stack.createTopics(List.of(new NewTopic(input, 1, (short) 1), new NewTopic(labels, 1, (short) 1),
        new NewTopic(dead, 1, (short) 1)));
    registerContracts(stack, Map.of(labels, SoftLabel.getClassSchema(), dead, DeadLetter.getClassSchema()));
    MnistSource mnist = MnistSource.test(DatasetCache.atDefaultDirectory());
    int n = 24;
    List<InputEvent> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Example example = mnist.get(i);
      events.add(InputEvent.newBuilder().setId("js-mnist-" + i).setTimestamp(T0.plusMillis(i)).setSource("confluent-js")
          .setVector(AvroValues.boxed(example.vector())).setLabel(example.label())
          .setAttributes(Map.of("producer", "kafkajs")).build());
    }
    // One the teacher cannot take: a digit with a pixel missing goes to the dead letters.
    InputEvent shortVector = InputEvent.newBuilder(events.get(0)).setId("js-mnist-short")
        .setVector(AvroValues.boxed(Arrays.copyOf(mnist.get(0).vector(), 783))).build();
    List<SpecificRecord> all = new ArrayList<>(events);
    all.add(shortVector);
    List<Written> written = js.write(stack, List.of(WriteJob.register(input, InputEvent.getClassSchema(), keyed(all))));
    assertNull(written.get(0).error(), () -> "Confluent's serializer: " + written.get(0).error());

    List<ConsumerRecord<String, SoftLabel>> softLabels;
    List<ConsumerRecord<String, DeadLetter>> deadLetters;
    try (Teacher teacher = TeacherCatalog.load("mnist")) {
      TeacherService.Settings settings = TeacherService.Settings.defaults("js-teacher-" + suffix)
          .withLabelling(LabellingConfig.defaults().withTopics(input, labels, dead)
              .withBatching(16, Duration.ofMillis(50)))
          .withStateDir(state).withHttp(-1, 1);
      try (TeacherService service = TeacherService.start(List.of(teacher), settings, stack.clientConfig(),
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
        softLabels = consume(stack, labels, AvroSerde.forValues(SoftLabel.class, stack.clientConfig()), n);
        deadLetters = consume(stack, dead, AvroSerde.forValues(DeadLetter.class, stack.clientConfig()), 1);
        assertEquals(n, service.eventsLabelled(), "events the service labelled");
      }

      // Every event labelled once, as it was written, with the teacher's own logits for its pixels.
      Map<String, SoftLabel> byId = softLabels.stream().map(ConsumerRecord::value)
          .collect(Collectors.toMap(l -> l.getEvent().getId(), Function.identity()));
      assertEquals(n, softLabels.size());
      assertEquals(n, byId.size(), "no event labelled twice");
      try (TeacherPredictor predictor = teacher.newPredictor()) {
        List<Prediction> direct = predictor.predict(events.stream()
            .map(e -> TeacherInput.ofVector(AvroValues.floats(e.getVector()))).toList());
        for (int i = 0; i < n; i++) {
          SoftLabel label = byId.get(events.get(i).getId());
          assertEquals(events.get(i), label.getEvent(), "the event as Confluent's serializer wrote it");
          List<Float> logits = label.getTeachers().get(0).getLogits();
          for (int c = 0; c < DIGITS.size(); c++) {
            assertEquals(direct.get(i).logits()[c], logits.get(c), 1e-4,
                "logit " + c + " of " + label.getEvent().getId());
          }
        }
      }
    }
    // The dead letter carries the bytes Confluent's serializer wrote, untouched.
    DeadLetter deadLetter = deadLetters.get(0).value();
    assertTrue(deadLetter.getReason().contains("783"), deadLetter.getReason());
    assertEquals(input, deadLetter.getTopic());
    assertEquals(ByteBuffer.wrap(rawValue(stack, input, deadLetter.getOffset())), deadLetter.getValue());

    // And Confluent's deserializer reads what the service wrote: soft labels and the dead letter.
    List<Read> read = js.read(stack, List.of(ReadJob.of(labels, softLabels.size()),
        ReadJob.of(dead, deadLetters.size())), WAIT);
    assertReadAlike(softLabels, inOrder(read, labels));
    assertReadAlike(deadLetters, inOrder(read, dead));
  }

  @Test
  void shouldServeAStudentVersionThatConfluentsSerializerWrote(LocalStack stack) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String models = "js-edge-models-" + suffix;
    String deployments = "js-edge-deployments-" + suffix;
    String feedback = "js-edge-feedback-" + suffix;
    stack.createTopics(List.of(new NewTopic(models, 1, (short) 1).configs(Topics.studentModelTopicConfig()),
        new NewTopic(deployments, 1, (short) 1), new NewTopic(feedback, 1, (short) 1)));
    KeyPair keys = SigningKeys.generate();
    StudentModelVersion version = signedVersion(keys, "js-mnist", 7);
    // A deployment step registered the contracts; the Node.js publisher writes with the latest version.
    registerContracts(stack, Map.of(models, StudentModelVersion.getClassSchema(),
        deployments, DeploymentEvent.getClassSchema(), feedback, InputEvent.getClassSchema()));
    List<Written> written = js.write(stack, List.of(WriteJob.latest(models,
        List.of(Map.entry(version.getModelName(), AvroJson.toJson(version.getSchema(), version))))));
    assertNull(written.get(0).error(), () -> "Confluent's serializer: " + written.get(0).error());

    EdgeConfig config = EdgeConfig.defaults("js-edge-" + suffix, version.getModelName(), List.of(keys.getPublic()))
        .withTopics(models, deployments, feedback)
        .withCascade(0, null, Duration.ofMillis(200))
        .withSampling(1.0, 100) // every request goes back to the input events: one record the node writes
        .withClientConfig(stack.clientConfig());
    try (EdgeNode edge = EdgeNode.start(config, new SimpleMeterRegistry())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (edge.status().servedVersion() != version.getVersion() && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling the node's state
      }
      assertEquals(version.getVersion(), edge.status().servedVersion(),
          "the version Confluent's serializer wrote was verified (hash, signature) and loaded: " + edge.status());
      float[] pixels = new float[784];
      Arrays.fill(pixels, 0.5f);
      EdgeAnswer answer = edge.predict(StudentInput.ofVector(pixels));
      assertEquals(version.getVersion(), answer.modelVersion());
      assertEquals(EdgeAnswer.AnsweredBy.STUDENT, answer.answeredBy());
    }

    // What the node wrote (its deployment event, the request it sent back), read by both deserializers.
    List<ConsumerRecord<String, DeploymentEvent>> events =
        consume(stack, deployments, AvroSerde.forValues(DeploymentEvent.class, stack.clientConfig()), 1);
    assertEquals(DeploymentStatus.LOADED, events.get(0).value().getStatus());
    assertEquals(version.getVersion(), events.get(0).value().getVersion());
    List<ConsumerRecord<String, InputEvent>> sentBack =
        consume(stack, feedback, AvroSerde.forValues(InputEvent.class, stack.clientConfig()), 1);
    assertEquals(784, sentBack.get(0).value().getVector().size());
    List<Read> read = js.read(stack, List.of(ReadJob.of(deployments, events.size()),
        ReadJob.of(feedback, sentBack.size())), WAIT);
    assertReadAlike(events, inOrder(read, deployments));
    assertReadAlike(sentBack, inOrder(read, feedback));
  }

  @Test
  void shouldKeepBothSidesReadingWhenConfluentsClientEvolvesTheSchema(LocalStack stack) throws Exception {
    String topic = Clients.newTopic(stack, "js-evolution");
    InputEvent fromJava = event("java-v1");
    InputEvent withTenant = event("js-v2");
    InputEvent fromJsLatest = event("js-latest");
    InputEvent fromJavaLatest = event("java-latest");

    produce(stack, topic, fromJava, stack.clientConfig());
    int v1 = latest(stack, topic).id();

    // The JS application registers InputEvent with a tenant field, writes with it, and with the latest version.
    ObjectNode withTenantJson = (ObjectNode) AvroJson.toJson(InputEvent.getClassSchema(), withTenant);
    withTenantJson.put("tenant", "beta");
    List<Written> written = js.write(stack, List.of(
        WriteJob.register(topic, INPUT_EVENT_WITH_TENANT, List.of(Map.entry(withTenant.getId(), withTenantJson))),
        WriteJob.latest(topic, keyed(List.of(fromJsLatest)))));
    written.forEach(w -> assertNull(w.error(), () -> "Confluent's serializer (" + w.mode() + "): " + w.error()));
    int v2 = latest(stack, topic).id();
    assertNotEquals(v1, v2);
    assertEquals(2, latest(stack, topic).version());
    assertEquals(List.of(v2, v2), written.stream().map(Written::schemaId).toList());

    // The services' serde, still on v1, reads all of it; and writes with the latest version too.
    Map<String, Object> latestConfig = new HashMap<>(stack.clientConfig());
    latestConfig.put("auto.register.schemas", false);
    latestConfig.put("use.latest.version", true);
    produce(stack, topic, fromJavaLatest, latestConfig);
    List<ConsumerRecord<String, SpecificRecord>> javaRead =
        consume(stack, topic, serde(stack, fromJava), 4);
    assertEquals(List.of(fromJava, withTenant, fromJsLatest, fromJavaLatest),
        javaRead.stream().map(ConsumerRecord::value).toList());

    // Confluent's deserializer with use.latest.version reads every record as v2: the default where v1 wrote none.
    List<Read> read = inOrder(js.read(stack, List.of(new ReadJob(topic, 4, true)), WAIT), topic);
    assertEquals(List.of(v1, v2, v2, v2), read.stream().map(Read::schemaId).toList());
    List<String> tenants = List.of("acme", "beta", "acme", "acme");
    List<InputEvent> sent = List.of(fromJava, withTenant, fromJsLatest, fromJavaLatest);
    for (int i = 0; i < sent.size(); i++) {
      assertNull(read.get(i).error(), read.get(i).error());
      ObjectNode expected = (ObjectNode) AvroJson.toJson(InputEvent.getClassSchema(), sent.get(i));
      expected.put("tenant", tenants.get(i));
      assertEquals(expected, AvroJson.canonical(INPUT_EVENT_WITH_TENANT, read.get(i).value()), "record " + i);
    }
  }

  @Test
  void shouldReadTheCurrentSchemasRecordsWithTheReleasedOneInConfluentsDeserializer(LocalStack stack) throws Exception {
    String topic = Clients.newTopic(stack, "js-released-reader");
    Schema released = releasedSchema("InputEvent");
    assertTrue(released.getField("structured") == null, "release v1 has no structured payload");
    Map<String, Object> fields = new HashMap<>(Map.of("protocol", "tcp", "src_bytes", 181.0));
    fields.put("flag", null); // a missing value: the null branch of the map's union
    InputEvent current = InputEvent.newBuilder(event("java-current")).setStructured(fields).build();
    InputEvent fromReleased = event("js-released");

    produce(stack, topic, current, stack.clientConfig());
    int currentId = latest(stack, topic).id();
    // A Node.js service still on release v1 registers it (BACKWARD: it reads what the current one wrote).
    ObjectNode releasedJson = (ObjectNode) AvroJson.toJson(InputEvent.getClassSchema(), fromReleased);
    releasedJson.remove("structured");
    List<Written> written = js.write(stack, List.of(
        WriteJob.register(topic, released, List.of(Map.entry(fromReleased.getId(), releasedJson)))));
    assertNull(written.get(0).error(), () -> "Confluent's serializer: " + written.get(0).error());
    assertNotEquals(currentId, written.get(0).schemaId());

    // Confluent's deserializer reads the current schema's record with the released one: the new field dropped.
    List<Read> read = inOrder(js.read(stack, List.of(new ReadJob(topic, 2, true)), WAIT), topic);
    ObjectNode expected = (ObjectNode) AvroJson.toJson(InputEvent.getClassSchema(), current);
    expected.remove("structured");
    assertNull(read.get(0).error(), read.get(0).error());
    assertEquals(expected, AvroJson.canonical(released, read.get(0).value()));
    assertEquals(releasedJson, AvroJson.canonical(released, read.get(1).value()));

    // The services' serde reads both, the released one's without a structured payload.
    List<ConsumerRecord<String, SpecificRecord>> javaRead = consume(stack, topic, serde(stack, current), 2);
    assertEquals(List.of(current, fromReleased), javaRead.stream().map(ConsumerRecord::value).toList());
  }

  /** Two of each record type: the full sample, and one with the optional fields empty and values at their edges. */
  private static List<List<SpecificRecord>> samplesOfEveryType() {
    Map<String, Object> fields = new HashMap<>(Map.of("protocol", "tcp", "src_bytes", 181.5, "ratio", 1.0E-300));
    fields.put("flag", null);
    InputEvent sparse = InputEvent.newBuilder()
        .setId("naïve-ümlaut-🚀")
        .setTimestamp(T0.plusMillis(1))
        .setSource("edge/node-7")
        .setKind(EventKind.LATE_LABEL)
        .setStructured(fields)
        .setVector(AvroValues.boxed(new float[] {Float.MIN_VALUE, Float.MAX_VALUE, 1e-7f, -3.4f, 0.1f, 1f}))
        .setLabel("spam")
        .setAttributes(Map.of())
        .build();
    SoftLabel sparseLabel = SoftLabel.newBuilder()
        .setEvent(sparse)
        .setClasses(List.of("ham", "spam"))
        .setTeachers(List.of(TeacherOutput.newBuilder().setTeacherId("t").setTeacherVersion("1")
            .setLogits(List.of(-1e30f, 3.5f)).build()))
        .setLabelledAt(T0)
        .build();
    StudentModelVersion sparseVersion = StudentModelVersion.newBuilder(SampleRecords.studentModelVersion())
        // The largest long avsc's default long type takes (2^53 - 2): Confluent's JS serdes refuse larger ones.
        .setVersion((1L << 53) - 2)
        .setWeights(ByteBuffer.allocate(0))
        .setMetrics(Map.of())
        .setLineage(Lineage.newBuilder().build())
        .build();
    DeploymentEvent sparseEvent = DeploymentEvent.newBuilder()
        .setNodeId("edge-2").setModelName("mail-ngram").setVersion(18L).setStatus(DeploymentStatus.LOADED)
        .setTimestamp(T0).build();
    DeadLetter sparseDead = DeadLetter.newBuilder()
        .setService("edge-node").setReason("ünreadable").setTopic(Topics.INPUT_EVENTS)
        .setPartition(0).setOffset(-1L).setTimestamp(T0).build();
    return List.of(
        List.of(SampleRecords.inputEvent(), sparse),
        List.of(SampleRecords.softLabel(), sparseLabel),
        List.of(SampleRecords.studentModelVersion(), sparseVersion),
        List.of(SampleRecords.deploymentEvent(), sparseEvent),
        List.of(SampleRecords.deadLetter(), sparseDead));
  }

  private static InputEvent event(String id) {
    return InputEvent.newBuilder(SampleRecords.inputEvent()).setId(id).build();
  }

  /** A real signed version of a small MNIST student (784 -> 16 -> 10), as the trainer publishes them. */
  private static StudentModelVersion signedVersion(KeyPair keys, String model, long number) {
    MlpSpec spec = new MlpSpec(DIGITS, 784, List.of(16));
    Random random = new Random(number);
    StudentWeights weights = new StudentWeights();
    spec.parameterShapes().forEach((name, shape) -> {
      float[] values = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian() * 0.1f;
      }
      weights.put(name, shape, values);
    });
    StudentModelVersion unsigned = StudentModelVersion.newBuilder()
        .setModelName(model)
        .setVersion(number)
        .setCreatedAt(T0)
        .setArchitecture(spec.toJson())
        .setClasses(spec.classes())
        .setWeightsFormat(StudentWeights.F32_V1)
        .setWeights(ByteBuffer.wrap(weights.encode()))
        .setWeightsSha256("")
        .setMetrics(Map.of("heldout.agreement", 0.93))
        .setLineage(Lineage.newBuilder().setParentVersion(number - 1)
            .setTrainedThrough(List.of(new InputPosition(Topics.SOFT_LABELS, 0, 4_000L)))
            .setTeachers(List.of(new TeacherRef("mnist-mlp-1200", "abc"))).build())
        .setSignature(ByteBuffer.allocate(0))
        .setSigningKeyId("")
        .build();
    return new VersionSigner(keys).sign(unsigned);
  }

  /** Confluent's reading of a topic equals the project's, record by record (offsets and values). */
  private static <T extends SpecificRecord> void assertReadAlike(List<ConsumerRecord<String, T>> java,
      List<Read> confluent) {
    assertEquals(java.stream().map(ConsumerRecord::offset).toList(), confluent.stream().map(Read::offset).toList());
    for (int i = 0; i < java.size(); i++) {
      T value = java.get(i).value();
      Read read = confluent.get(i);
      assertNull(read.error(), () -> "Confluent's deserializer refused " + read.topic() + "@" + read.offset() + ": "
          + read.error());
      assertEquals(java.get(i).key(), read.key());
      assertEquals(AvroJson.toJson(value.getSchema(), value), AvroJson.canonical(value.getSchema(), read.value()),
          value.getSchema().getName() + " at offset " + read.offset() + " of " + read.topic());
    }
  }

  private static List<Read> inOrder(List<Read> read, String topic) {
    return read.stream().filter(r -> r.topic().equals(topic))
        .sorted(Comparator.comparingInt(Read::partition).thenComparingLong(Read::offset)).toList();
  }

  private static List<Map.Entry<String, JsonNode>> keyed(List<? extends SpecificRecord> records) {
    List<Map.Entry<String, JsonNode>> keyed = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      SpecificRecord record = records.get(i);
      String key = record instanceof InputEvent e ? e.getId() : "key-" + i;
      keyed.add(Map.entry(key, AvroJson.toJson(record.getSchema(), record)));
    }
    return keyed;
  }

  @SuppressWarnings("unchecked")
  private static AvroSerde<SpecificRecord> serde(LocalStack stack, SpecificRecord sample) {
    return AvroSerde.forValues((Class<SpecificRecord>) sample.getClass(), stack.clientConfig());
  }

  private static void produce(LocalStack stack, String topic, InputEvent event, Map<String, Object> serdeConfig)
      throws Exception {
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, serdeConfig);
        KafkaProducer<String, InputEvent> producer = new KafkaProducer<>(Clients.producerConfig(stack),
            new StringSerializer(), serde.serializer())) {
      producer.send(new ProducerRecord<>(topic, event.getId(), event)).get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Reads a topic from the beginning, read_committed, until {@code count} records arrived and a
   * moment more (a record too many would show); fails when fewer arrive. Closes the serde.
   */
  private static <T extends SpecificRecord> List<ConsumerRecord<String, T>> consume(LocalStack stack, String topic,
      AvroSerde<T> serde, int count) {
    Map<String, Object> config = Clients.consumerConfig(stack);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.putAll(Topics.studentModelConsumerConfig());
    List<ConsumerRecord<String, T>> records = new ArrayList<>();
    try (serde; KafkaConsumer<String, T> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
      // Assigned, not subscribed: no group to join, which saves a second per topic.
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + WAIT.toNanos();
      long settled = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, settled)) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        if (records.size() >= count && settled == Long.MAX_VALUE) {
          settled = System.nanoTime() + Duration.ofMillis(300).toNanos();
        }
      }
    }
    assertEquals(count, records.size(), "records on " + topic);
    records.sort(Comparator.comparingInt(ConsumerRecord<String, T>::partition)
        .thenComparingLong(ConsumerRecord::offset));
    return records;
  }

  /** The bytes of the value at {@code offset} of partition 0, as they are on the topic. */
  private static byte[] rawValue(LocalStack stack, String topic, long offset) {
    try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(Clients.consumerConfig(stack),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      raw.assign(List.of(partition));
      raw.seek(partition, offset);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : raw.poll(Duration.ofMillis(200))) {
          if (record.offset() == offset) {
            assertEquals(0, record.value()[0], "Confluent's wire format");
            WireFormat.schemaId(topic, record.value());
            return record.value();
          }
        }
      }
    }
    throw new AssertionError("no record at offset " + offset + " of " + topic);
  }

  private static long endOffset(LocalStack stack, String topic) {
    try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(Clients.consumerConfig(stack),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      return raw.endOffsets(List.of(partition)).get(partition);
    }
  }

  /**
   * Registers the topics' value schemas one after the other, as a deployment step does before the
   * services start. Apicurio 2.4.2 (the local stack's registry) answers concurrent first registrations
   * of new subjects, even of different subjects, with a spurious 409 ("An artifact with ID ... already
   * exists") now and then and registers nothing; a service whose threads register at once (the edge
   * node's deployment events and feedback) would then lose its first record.
   */
  private static void registerContracts(LocalStack stack, Map<String, Schema> schemasByTopic) {
    RestSchemaRegistryClient registry = registry(stack);
    schemasByTopic.forEach((topic, schema) -> registry.register(Topics.valueSubject(topic), schema));
  }

  /** The latest version of {@code <topic>-value}, asked of the registry now (a client caches it). */
  private static RegisteredSchema latest(LocalStack stack, String topic) {
    return registry(stack).latest(Topics.valueSubject(topic));
  }

  private static RestSchemaRegistryClient registry(LocalStack stack) {
    return new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(stack.schemaRegistryUrl()));
  }

  private static Schema releasedSchema(String name) throws IOException {
    String resource = "released/v1/" + name + ".avsc";
    try (InputStream in = ConfluentClientCompatIT.class.getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, resource + " on the class path (the schemas module's test jar)");
      return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
