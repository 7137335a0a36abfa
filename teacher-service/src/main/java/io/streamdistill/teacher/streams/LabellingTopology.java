package io.streamdistill.teacher.streams;

import io.streamdistill.schemas.InputEvent;
import io.streamdistill.serde.AvroDeserializer;
import io.streamdistill.serde.AvroSerializer;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.teacher.model.Teacher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The teacher service's topology: input events (raw bytes, so that undecodable ones can be
 * dead-lettered as they were) through the {@link BatchingLabeller} to soft labels and dead letters.
 *
 * <pre>
 *   input-events ──► batching-labeller ──► soft-labels
 *                          │  ▲        └──► dead-letters
 *                   teacher-batch store (changelogged)
 * </pre>
 */
public final class LabellingTopology {
  /** Kafka Streams' own transaction.timeout.ms under exactly-once. */
  static final long STREAMS_EOS_TRANSACTION_MS = 10_000;
  /** The broker's default transaction.max.timeout.ms: a longer transaction timeout is refused. */
  static final long MAX_TRANSACTION_MS = 900_000;
  /** Kafka Streams' max.poll.interval.ms for its consumers. */
  private static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

  private LabellingTopology() {}

  /** Builds the topology with no {@link InputPause}: input keeps coming during an outage. */
  public static Topology build(List<Teacher> teachers, LabellingConfig config, TeacherMetrics metrics,
      SchemaRegistryClient registry) {
    return build(teachers, config, metrics, registry, InputPause.NONE);
  }

  /**
   * Builds the topology.
   *
   * @param teachers loaded teachers (the caller owns and closes them); they must share classes
   * @param registry the schema registry client the serdes share
   * @param pause how the labellers stop the input while their teachers are unavailable
   */
  public static Topology build(List<Teacher> teachers, LabellingConfig config, TeacherMetrics metrics,
      SchemaRegistryClient registry, InputPause pause) {
    if (teachers.isEmpty()) {
      throw new IllegalArgumentException("at least one teacher is needed (--teacher)");
    }
    List<String> classes = teachers.get(0).descriptor().classes();
    for (Teacher teacher : teachers) {
      if (!teacher.descriptor().classes().equals(classes)) {
        throw new IllegalArgumentException("teachers of one service must share their classes: "
            + teachers.get(0).descriptor().id() + " has " + classes + ", " + teacher.descriptor().id() + " has "
            + teacher.descriptor().classes());
      }
    }
    AvroDeserializer<InputEvent> events = new AvroDeserializer<>(InputEvent.class, registry);
    AvroSerializer<SpecificRecord> records = new AvroSerializer<>(registry);
    Topology topology = new Topology();
    topology.addSource("input-events", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        config.inputTopic());
    topology.addProcessor("batching-labeller",
        () -> new BatchingLabeller(teachers, config, metrics, events, pause), "input-events");
    // Cached: an event put and deleted (labelled) between two commits never reaches the changelog, since
    // the cache skips a delete of a key the store underneath never had. Only the events still waiting when
    // a commit flushes the cache are logged, in that commit's transaction: the store still holds every
    // event consumed but not yet labelled, which is what exactly-once needs, at a fraction of the writes.
    topology.addStateStore(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(BatchingLabeller.STORE), Serdes.Long(), Serdes.ByteArray())
        .withLoggingEnabled(Map.of())
        .withCachingEnabled(), "batching-labeller");
    topology.addSink(LabellerOutput.SOFT_LABELS, config.softLabelTopic(), new StringSerializer(), records,
        "batching-labeller");
    topology.addSink(LabellerOutput.DEAD_LETTERS, config.deadLetterTopic(), new StringSerializer(), records,
        "batching-labeller");
    return topology;
  }

  /**
   * Kafka Streams settings of the service: exactly-once v2, and a poll timeout short enough that
   * the batch timer fires on time and returned model calls are forwarded promptly when input is
   * sparse (the timer cannot fire while the stream thread waits in poll). {@code clientConfig}
   * (bootstrap servers, security, any Streams setting) is applied last and wins.
   */
  public static Properties streamsConfig(String applicationId, LabellingConfig config,
      Map<String, Object> clientConfig) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1, Math.min(10, config.maxWait().toMillis() / 2)));
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // A micro-batch of large records must fit in one transaction's produce requests.
    props.put(StreamsConfig.producerPrefix("linger.ms"), 5);
    // Soft labels are kilobytes (an MNIST one carries its 3 KB input): at the default 16 KiB a produce
    // request holds about 5 of them, and the idempotent producer's 5 requests in flight cap the
    // service at a few thousand labels/s whatever the model's speed.
    props.put(StreamsConfig.producerPrefix("batch.size"), 1024 * 1024);
    props.put(StreamsConfig.consumerPrefix("max.poll.records"), 1000);
    // Input events are kilobytes (an MNIST vector is 3 KB): the default 1 MiB per partition and fetch
    // would cap a partition at a few hundred events per round trip.
    props.put(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), 16 * 1024 * 1024);
    props.put(StreamsConfig.consumerPrefix("fetch.max.bytes"), 64 * 1024 * 1024);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    props.putAll(clientConfig);
    props.remove("schema.registry.url"); // the serdes get it; Streams would warn about an unknown key
    if (standbyReplicas(props) > 0 && !props.containsKey(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG)) {
      // With standby replicas and the default acceptable lag (10,000), the reliability campaign's scale-out case
      // (SIGKILL and clean stop while tasks move) labelled 2 and 4 events twice in two runs of two (exactly-once
      // broken: the batching store lost deletions when a task moved to a standby within the lag); with 0, none.
      // The symptom of apache/kafka#12540 (caching, standbys, default lag). Set it explicitly to override.
      props.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, 0L);
    }
    return props;
  }

  /**
   * Sizes the transactions for a teacher that may wait long on a batch ({@code longestBatch}, what {@link
   * io.streamdistill.teacher.model.Teacher#longestPredict} says, summed over the teachers): the stream thread may
   * wait for a batch inside a transaction, which the broker aborts after {@code transaction.timeout.ms} (Kafka
   * Streams sets 10 s under exactly-once), fencing the task; a batch that always took longer would be labelled
   * again and again. The timeout becomes the longest batch and 5 s more (at most 15 minutes, the broker's default
   * {@code transaction.max.timeout.ms}), and {@code max.poll.interval.ms} (300 s) at least as long as that. A value
   * set in {@code props} (by the user) is kept.
   *
   * @return what was set, for the log, or empty when nothing needed to be
   */
  public static Optional<String> sizeTransactions(Properties props, Duration longestBatch) {
    long needed = Math.min(MAX_TRANSACTION_MS, longestBatch.toMillis() + 5_000);
    if (needed <= STREAMS_EOS_TRANSACTION_MS) {
      return Optional.empty();
    }
    List<String> set = new ArrayList<>();
    if (!props.containsKey(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))
        && !props.containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
      props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), (int) needed);
      set.add(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG + "=" + needed);
    }
    long poll = needed + 30_000;
    if (poll > DEFAULT_MAX_POLL_INTERVAL_MS
        && !props.containsKey(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG))
        && !props.containsKey(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG))
        && !props.containsKey(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG)) {
      props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), (int) poll);
      set.add(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG + "=" + poll);
    }
    return set.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", set));
  }

  private static int standbyReplicas(Properties props) {
    Object value = props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG);
    try {
      return value == null ? 0 : Integer.parseInt(value.toString().strip());
    } catch (NumberFormatException e) {
      return 0; // Streams itself refuses it, naming the setting
    }
  }

  /**
   * How long a graceful close may take. A batch still waiting is not lost on close: it stays in the
   * changelogged store and is labelled by whichever instance takes the task over.
   */
  public static Duration closeTimeout() {
    return Duration.ofSeconds(30);
  }
}
