package io.streamdistill.edge.versions;

import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.RegistryOutage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the student-models topic for one model name (the record key) on its own thread and
 * offers every version to a {@link VersionHolder}, which verifies and swaps it: request threads
 * never load anything.
 *
 * <p>On start it reads only the tail of the topic (assign and seek, no consumer group, nothing
 * committed): back from the end offsets in growing windows until it has found the model's last
 * {@code tail} versions (what the holder keeps for rollback, and a little more) or the beginning,
 * so that a node started after a day of publishing reads a few versions, not the topic. It offers
 * them oldest first and tells the holder it has caught up, so that the node serves the newest valid
 * version rather than each old one in turn; then it follows the topic from the end offsets it saw.
 *
 * <p>Owns its consumer and deserializer; the consumer is used by the follower thread only (Kafka
 * consumers are not thread-safe), except for {@link Consumer#wakeup()} on close.
 */
public final class KafkaVersionFollower implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaVersionFollower.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final Consumer<String, byte[]> consumer;
  private final Deserializer<StudentModelVersion> deserializer;
  private final String topic;
  private final String modelName;
  private final VersionHolder holder;
  private final int tail;
  private final Thread thread;
  // Written on the follower thread only (countRead), read from any thread. Atomic rather than a volatile ++,
  // which is right only as long as that thread stays the only writer.
  /** Records read so far (of every model), for the status and tests: what a cold start costs. */
  private final AtomicLong recordsRead = new AtomicLong();
  /** Their values' bytes: what following the topic costs the node. */
  private final AtomicLong bytesRead = new AtomicLong();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile boolean started;

  /**
   * A follower on a given consumer (made from {@link #consumerConfig}) and deserializer, which it then owns and
   * closes; call {@link #start()}.
   *
   * @param tail how many of the model's newest versions to read on start (at least what the holder keeps)
   */
  public KafkaVersionFollower(Consumer<String, byte[]> consumer, Deserializer<StudentModelVersion> deserializer,
      String topic, String modelName, VersionHolder holder, int tail) {
    if (tail < 1) {
      throw new IllegalArgumentException("the tail to read must be at least 1 version, got " + tail);
    }
    this.tail = tail;
    this.consumer = consumer;
    this.deserializer = deserializer;
    this.topic = topic;
    this.modelName = modelName;
    this.holder = holder;
    this.thread = new Thread(this::run, "edge-version-follower");
    thread.setDaemon(true);
  }

  /** The settings of the follower's consumer, made from the node's client settings. */
  public static Map<String, Object> consumerConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    // Versions are up to 72 MiB: fetch sizes that let one through.
    config.putAll(Topics.studentModelConsumerConfig());
    // A version is published in the trainer's transaction with the offsets it was trained through;
    // an aborted one was never published and must not be served.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Nothing to commit: every start reads the topic's tail again.
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    // The topic needs its own settings (max.message.bytes, retention); it must not appear with defaults.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    // A few versions per poll bounds the memory held between polls.
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4);
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "edge-versions");
    return config;
  }

  public void start() {
    started = true;
    thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      if (partitions.isEmpty()) {
        return; // closed while waiting
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      readTail(partitions, end);
      LOGGER.atInfo().addKeyValue("topic", topic).addKeyValue("modelName", modelName).addKeyValue("endOffsets", end)
          .addKeyValue("recordsRead", recordsRead.get()).log("read the newest versions; following the topic");
      boolean caughtUp = false;
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            countRead(record);
            if (modelName.equals(record.key()) && record.value() != null) {
              offer(record);
            }
          }
          if (!caughtUp && reached(end)) {
            caughtUp = true;
            holder.markCaughtUp();
          }
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // The consumer keeps its positions: go on polling once the cause (broker, auth) may have passed.
          LOGGER.atWarn().setCause(e).addKeyValue("topic", topic).log("reading student versions failed; retrying");
          closed.await(RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (WakeupException e) {
      // close() woke the consumer up.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOGGER.atError().setCause(e).addKeyValue("topic", topic).log("version follower stopped");
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      deserializer.close();
    }
  }

  private void offer(ConsumerRecord<String, byte[]> record) {
    StudentModelVersion version;
    try {
      // A registry outage is waited out (nothing else to do meanwhile: the node serves what it has).
      version = RegistryOutage.retry("reading student versions from " + record.topic(), Duration.ofDays(365),
          () -> !running, () -> deserializer.deserialize(record.topic(), record.headers(), record.value()));
    } catch (RuntimeException e) {
      holder.rejectUnreadable("the record at " + record.topic() + "-" + record.partition() + " offset "
          + record.offset() + " is not a readable student version: " + e.getMessage());
      return;
    }
    LOGGER.atDebug().addKeyValue("topic", topic).addKeyValue("offset", record.offset())
        .addKeyValue("modelVersion", version.getVersion()).log("student version read");
    holder.offer(version);
  }

  /** Counts a record read, on the follower thread. */
  private void countRead(ConsumerRecord<String, byte[]> record) {
    recordsRead.incrementAndGet();
    bytesRead.addAndGet(record.value() == null ? 0 : record.value().length);
  }

  /** Records read so far, of every model on the topic. */
  public long recordsRead() {
    return recordsRead.get();
  }

  /** The bytes of the record values read so far, of every model on the topic. */
  public long bytesRead() {
    return bytesRead.get();
  }

  /**
   * Reads back from {@code end} in windows (the tail, then what the share of this model's records
   * so far says is missing, growing at most fourfold) until the model's newest {@link #tail} versions
   * are found and the oldest of them is whole (not a delta: see {@link Topics#WEIGHTS_HEADER}), or the
   * beginning is reached; offers them oldest first, and leaves every partition positioned at {@code end}.
   * Memory stays at what that takes: records older than a whole version that starts a long enough chain are
   * dropped as they are read.
   */
  private void readTail(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
    List<ConsumerRecord<String, byte[]>> newest = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      ArrayDeque<ConsumerRecord<String, byte[]>> found = new ArrayDeque<>();
      long to = end.get(tp);
      long window = tail;
      while (running && to > begin.get(tp) && !(found.size() >= tail && isWhole(found.peekFirst()))) {
        long from = Math.max(begin.get(tp), to - window);
        ArrayDeque<ConsumerRecord<String, byte[]>> older = read(partitions, tp, from, to, found.size());
        while (!older.isEmpty()) {
          found.addFirst(older.removeLast());
        }
        trim(found, 0);
        to = from;
        // Another window, as large as the share of this model's records so far says is needed
        // (a topic may carry several models), a little more, at most four times the last.
        long scanned = end.get(tp) - to;
        // (With the tail found but starting with a patch: one record at a time, back to the whole version.)
        long missing = found.size() < tail ? tail - found.size() : 1;
        window = found.isEmpty() ? window * 4
            : Math.min(window * 4, (long) Math.ceil(missing * (double) scanned / found.size()) + 1);
      }
      newest.addAll(found);
    }
    newest.sort(Comparator.comparingLong((ConsumerRecord<String, byte[]> r) -> r.timestamp())
        .thenComparingLong(ConsumerRecord::offset));
    for (ConsumerRecord<String, byte[]> record : newest) {
      offer(record);
    }
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, end.get(tp));
    }
  }

  /** The model's versions in [from, to) of one partition, oldest first, trimmed as {@link #trim} says. */
  private ArrayDeque<ConsumerRecord<String, byte[]>> read(List<TopicPartition> partitions, TopicPartition tp,
      long from, long to, int newer) {
    ArrayDeque<ConsumerRecord<String, byte[]>> kept = new ArrayDeque<>();
    consumer.pause(partitions.stream().filter(p -> !p.equals(tp)).toList());
    consumer.seek(tp, from);
    try {
      while (running && consumer.position(tp) < to) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL).records(tp)) {
          countRead(record);
          if (record.offset() < to && modelName.equals(record.key()) && record.value() != null) {
            kept.addLast(record);
            trim(kept, newer); // an older one than needed: memory stays at a few versions
          }
        }
      }
    } finally {
      consumer.resume(partitions);
    }
    return kept;
  }

  /**
   * Drops the records before the newest whole one that, with the records after it here and {@code newer} more
   * found already, makes a chain of at least {@link #tail} versions: those are never needed.
   */
  private void trim(ArrayDeque<ConsumerRecord<String, byte[]>> records, int newer) {
    int chain = newer; // the records from the one looked at to the newest, plus those found already
    ConsumerRecord<String, byte[]> keepFrom = null;
    for (var it = records.descendingIterator(); it.hasNext(); ) {
      ConsumerRecord<String, byte[]> record = it.next();
      if (++chain >= tail && isWhole(record)) {
        keepFrom = record;
        break;
      }
    }
    while (keepFrom != null && records.peekFirst() != keepFrom) {
      records.removeFirst();
    }
  }

  /** A record without the weights header is whole (trainers before deltas wrote none). */
  private static boolean isWhole(ConsumerRecord<String, byte[]> record) {
    if (record == null) {
      return false;
    }
    Header header = record.headers().lastHeader(Topics.WEIGHTS_HEADER);
    return header == null || !Topics.WEIGHTS_DELTA.equals(new String(header.value(), StandardCharsets.US_ASCII));
  }

  /** The topic's partitions, once it exists; empty when closed before it did. */
  private List<TopicPartition> awaitPartitions() throws InterruptedException {
    boolean told = false;
    while (running) {
      try {
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos != null && !infos.isEmpty()) {
          return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        }
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        LOGGER.atDebug().setCause(e).addKeyValue("topic", topic).log("topic metadata not available yet");
      }
      if (!told) {
        LOGGER.atWarn().addKeyValue("topic", topic).log("waiting for the student-models topic to exist");
        told = true;
      }
      closed.await(RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
    return List.of();
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (var entry : end.entrySet()) {
      if (consumer.position(entry.getKey()) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Stops following and closes the consumer; the holder keeps serving what it has. */
  @Override
  public void close() {
    running = false;
    closed.countDown();
    if (!started) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      deserializer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
