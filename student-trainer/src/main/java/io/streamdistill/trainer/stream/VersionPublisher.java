package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherRef;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.student.CascadeCalibration;
import io.streamdistill.student.VersionDeltas;
import io.streamdistill.student.VersionSigner;
import io.streamdistill.trainer.TrainerConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the trainer writes, each in one Kafka transaction with the consumer offsets it covers:
 * a signed version with the dead letters since the last write ({@link #publish}), or, when too many
 * dead letters wait, those letters alone ({@link #flush}).
 *
 * <p>The committed offsets mark how far bad records have been written to dead letters: a restarted
 * trainer does not write those below the mark a second time. It resumes reading at the last
 * version's lineage ({@code trainedThrough}, in the version itself), which the offsets equal unless
 * dead letters were flushed since ({@link #DEAD_LETTERS_MARK} in their metadata) or an earlier run
 * had read a partition further: what was trained since the version is in no version yet, and is
 * read and learned again.
 *
 * <p>One instance per trainer run, owned by its thread: the transactional id is fixed per model, so
 * {@link #start} fences any earlier instance.
 */
final class VersionPublisher implements AutoCloseable {
  /** The committed offsets' metadata after a dead-letter flush starts with this. */
  static final String DEAD_LETTERS_MARK = "dead letters through";
  private static final Logger LOGGER = LoggerFactory.getLogger(VersionPublisher.class);
  /**
   * A patch over this share of the weights is not worth the chain: the version goes whole. Any patch under the
   * whole saves bytes, and the chain a cold node rebuilds is bounded by --full-version-every; the mail demo's
   * patches were 57-67% of a whole version (its table's averages drift a little on every row a mail touched),
   * and at 0.5 they all went whole: 1.9 Mbit/s into each edge node.
   */
  static final double MAX_DELTA_SHARE = 0.9;

  private final TrainerConfig config;
  private final VersionSigner signer;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<StudentModelVersion> versionSerde;
  private final AvroSerde<DeadLetter> letterSerde;
  private final Serializer<StudentModelVersion> versions;
  private final Serializer<DeadLetter> letters;
  /** Versions published as patches since the last whole one (the first of a run goes whole). */
  private int deltasSinceFull = Integer.MAX_VALUE / 2;

  VersionPublisher(TrainerConfig config, Map<String, Object> clientConfig) {
    this.config = config;
    this.signer = new VersionSigner(config.signingKeys());
    this.versionSerde = AvroSerde.forValues(StudentModelVersion.class, clientConfig);
    this.letterSerde = AvroSerde.forValues(DeadLetter.class, clientConfig);
    this.versions = versionSerde.serializer();
    this.letters = letterSerde.serializer();
    this.producer = new KafkaProducer<>(producerConfig(config, clientConfig), new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Fences any earlier instance with our transactional id and aborts its open transaction. */
  void start() {
    producer.initTransactions();
  }

  /** Whether committed offsets were written by a dead-letter flush rather than with a version. */
  static boolean marksDeadLetters(OffsetAndMetadata offset) {
    return offset != null && offset.metadata() != null && offset.metadata().startsWith(DEAD_LETTERS_MARK);
  }

  /**
   * Signs and publishes version {@code number}, trained through {@code through}, with the waiting
   * dead letters, in one transaction with the offsets; the letters are cleared once it committed.
   *
   * @param parent the version in service (the new one's parent), or null for the first
   * @param through per soft-label partition, the position the version was trained through
   * @param committed the offsets to commit: {@code through}, or an earlier run's mark where further
   * @param teachers teacher id to version, every teacher the line learned from
   * @param why the gate's reason, for the log
   * @return the version as signed, with its whole weights (on the topic it may be a patch to {@code parent})
   * @throws IllegalStateException when it is too large for the models topic, or the transaction
   *     failed (the outcome may be unknown: the trainer must stop and resume from what was committed)
   */
  StudentModelVersion publish(long number, ShippedWeights weights, Map<String, Double> metrics,
      StudentModelVersion parent, Map<Integer, Long> through, Map<Integer, Long> committed,
      Map<String, String> teachers, DeadLetterBuffer waiting, String why) {
    List<InputPosition> trainedThrough = new ArrayList<>();
    through.forEach((partition, offset) ->
        trainedThrough.add(new InputPosition(config.softLabelTopic(), partition, offset)));
    StudentModelVersion version = signer.sign(StudentModelVersion.newBuilder()
        .setModelName(config.modelName())
        .setVersion(number)
        .setCreatedAt(Instant.now())
        .setArchitecture(config.spec().toJson())
        .setClasses(config.spec().classes())
        .setWeightsFormat(weights.format())
        .setWeights(ByteBuffer.wrap(weights.bytes()))
        .setWeightsSha256("")
        .setMetrics(metrics)
        .setLineage(Lineage.newBuilder()
            .setParentVersion(parent == null ? null : parent.getVersion())
            .setTrainedThrough(trainedThrough)
            .setTeachers(teachers.entrySet().stream().map(e -> new TeacherRef(e.getKey(), e.getValue())).toList())
            .build())
        .setSignature(ByteBuffer.allocate(0))
        .setSigningKeyId("")
        .build());
    int fullBytes = version.getWeights().remaining();
    if (fullBytes > Topics.STUDENT_MODEL_MAX_BYTES - (1 << 20)) {
      throw new IllegalStateException("version " + number + " has " + fullBytes + " bytes of weights, over what the "
          + Topics.STUDENT_MODEL_MAX_BYTES + " bytes the models topic carries allow: choose a smaller student");
    }
    // The patch is made once; when it is too large the log still says how much of the weights moved (what the
    // bandwidth pays for).
    StudentModelVersion patch = deltasSinceFull + 1 < config.fullVersionEvery()
        ? VersionDeltas.against(version, parent, 1.0) : null;
    int patchBytes = patch == null ? 0 : VersionDeltas.wireWeightBytes(patch);
    boolean delta = patch != null && patchBytes <= MAX_DELTA_SHARE * fullBytes;
    String whole = patch == null ? "whole" : String.format(Locale.ROOT, "whole (a patch would be %.0f%%)",
        100.0 * patchBytes / fullBytes);
    byte[] value = versions.serialize(config.modelTopic(), delta ? patch : version);
    if (value.length > Topics.STUDENT_MODEL_MAX_BYTES) {
      throw new IllegalStateException("version " + number + " is " + value.length + " bytes, over the "
          + Topics.STUDENT_MODEL_MAX_BYTES + " the models topic carries: choose a smaller student");
    }
    long started = System.nanoTime();
    int lettersWritten = waiting.size();
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.modelTopic(), config.modelName(), value);
    record.headers().add(Topics.WEIGHTS_HEADER,
        (delta ? Topics.WEIGHTS_DELTA : Topics.WEIGHTS_WHOLE).getBytes(StandardCharsets.US_ASCII));
    transact("publishing version " + number, offsets(committed, config.modelName() + " v" + number), waiting,
        List.of(record));
    deltasSinceFull = delta ? deltasSinceFull + 1 : 0;
    LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("version", number)
        .addKeyValue("heldOutAgreement", String.format(Locale.ROOT, "%.4f", metrics.get("heldout.agreement")))
        .addKeyValue("aloneFrom", format(metrics.get(CascadeCalibration.THRESHOLD)))
        .addKeyValue("aloneShare", format(metrics.get(CascadeCalibration.COVERAGE)))
        .addKeyValue("idleReplaySteps", metrics.getOrDefault("steps.replayedIdle", 0.0).longValue())
        .addKeyValue("bytes", value.length).addKeyValue("weights", delta ? "delta against v" + parent.getVersion()
            + " of " + fullBytes + " bytes" : whole)
        .addKeyValue("samples", metrics.get("samples.consumed").longValue())
        .addKeyValue("deadLetters", lettersWritten).addKeyValue("why", why)
        .addKeyValue("commitMillis", (System.nanoTime() - started) / 1_000_000).log("version published");
    return version;
  }

  private static String format(Double metric) {
    return metric == null ? "none" : String.format(Locale.ROOT, "%.4f", metric);
  }

  /**
   * Writes the waiting dead letters on their own, with the offsets they cover marked as a
   * dead-letter flush (not a lineage); the letters are cleared once it committed.
   *
   * @param committed per soft-label partition, the offset every waiting letter lies below (never
   *     behind an earlier mark)
   * @param inService the version in service, for the offsets' metadata (0 before the first)
   * @throws IllegalStateException when the transaction failed (as {@link #publish})
   */
  void flush(DeadLetterBuffer waiting, Map<Integer, Long> committed, long inService) {
    int count = waiting.size();
    transact("writing " + count + " dead letters", offsets(committed, DEAD_LETTERS_MARK + " (" + config.modelName()
        + " v" + inService + " in service)"), waiting, List.of());
    LOGGER.atInfo().addKeyValue("model", config.modelName()).addKeyValue("deadLetters", count)
        .addKeyValue("inService", inService).log("dead letters written ahead of the next version");
  }

  private Map<TopicPartition, OffsetAndMetadata> offsets(Map<Integer, Long> through, String metadata) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    through.forEach((partition, offset) -> offsets.put(new TopicPartition(config.softLabelTopic(), partition),
        new OffsetAndMetadata(offset, metadata)));
    return offsets;
  }

  /**
   * Sends the waiting dead letters, then {@code more}, with the offsets in one transaction. The sends' futures are
   * not looked at: commitTransaction throws the error of any send that failed, and nothing is committed then.
   */
  @SuppressWarnings("FutureReturnValueIgnored")
  private void transact(String what, Map<TopicPartition, OffsetAndMetadata> offsets, DeadLetterBuffer waiting,
      List<ProducerRecord<String, byte[]>> more) {
    producer.beginTransaction();
    try {
      for (DeadLetter letter : waiting.letters()) {
        producer.send(new ProducerRecord<>(config.deadLetterTopic(), null,
            letters.serialize(config.deadLetterTopic(), letter)));
      }
      for (ProducerRecord<String, byte[]> record : more) {
        producer.send(record);
      }
      producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(config.groupId()));
      producer.commitTransaction();
    } catch (RuntimeException e) {
      // Whatever the cause, the outcome may be unknown: stop, and let the restart read what was committed.
      try {
        producer.abortTransaction();
      } catch (RuntimeException ignored) {
        // Fenced or broken: nothing more to do here.
      }
      throw new IllegalStateException(what + " failed; restart the trainer to resume from the last committed"
          + " version: " + e.getMessage(), e);
    }
    waiting.clear();
  }

  // The serdes are resources only to be closed (after the producer, each even when another fails to close).
  @Override
  @SuppressWarnings("try")
  public void close() {
    try (AvroSerde<StudentModelVersion> v = versionSerde; AvroSerde<DeadLetter> l = letterSerde) {
      producer.close();
    }
  }

  private static Map<String, Object> producerConfig(TrainerConfig config, Map<String, Object> clientConfig) {
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
}
