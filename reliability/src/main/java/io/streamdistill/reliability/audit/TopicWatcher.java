package io.streamdistill.reliability.audit;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows a topic while a case runs, so that the case can wait for progress ("labels are committed
 * again after the kill") without re-reading the topic each time: counts committed records, and their
 * distinct keys, per category. read_committed and no group, as the audits; it rides out a broker
 * restart like any consumer. The final audit still reads the topic whole ({@link TopicReader}).
 *
 * <p>Owns its consumer, used by its own thread only; the counts may be read from any thread.
 */
public final class TopicWatcher implements AutoCloseable {
  private static final long FETCH_AGE_MARGIN_NANOS = 2_000_000_000L;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final Function<ConsumerRecord<byte[], byte[]>, String> category;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> keys = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile RuntimeException failure;
  /** System.nanoTime() as of which every committed record had been read, as the last poll found; 0 before. */
  private volatile long caughtUpAsOf;

  /**
   * @param category the category a record counts in, or null to leave it out; called on the watcher's thread
   */
  public TopicWatcher(Map<String, Object> clientConfig, String topic,
      Function<ConsumerRecord<byte[], byte[]>, String> category) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.category = category;
    this.thread = new Thread(this::run, "watch-" + topic);
    thread.setDaemon(true);
  }

  public TopicWatcher start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        long pollStarted = System.nanoTime();
        var records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          String c = category.apply(record);
          if (c != null) {
            counts.computeIfAbsent(c, k -> new LongAdder()).increment();
            if (record.key() != null) {
              keys.computeIfAbsent(c, k -> ConcurrentHashMap.newKeySet())
                  .add(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8));
            }
          }
        }
        if (partitions.stream().allMatch(p -> consumer.currentLag(p).orElse(1) == 0)) {
          // The end it is at was learnt from a fetch that may have been sent before this poll began: at most
          // fetch.max.wait.ms (0.5 s) and a round trip earlier. Two seconds of margin cover it.
          caughtUpAsOf = pollStarted - FETCH_AGE_MARGIN_NANOS;
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close();
    }
  }

  /** Committed records seen in a category. */
  public long count(String c) {
    checkRunning();
    LongAdder count = counts.get(c);
    return count == null ? 0 : count.sum();
  }

  /**
   * Whether every record committed before {@code nanoTime} ({@link System#nanoTime()}) has been counted: a poll
   * that began well after it found the watcher at the end of the committed records. A case that snapshots a count
   * after a disruption waits for this first, or records committed before it, read late, pass for progress.
   */
  public boolean caughtUpSince(long nanoTime) {
    checkRunning();
    return caughtUpAsOf - nanoTime > 0;
  }

  /** Distinct keys seen in a category. */
  public long distinctKeys(String c) {
    checkRunning();
    Set<String> set = keys.get(c);
    return set == null ? 0 : set.size();
  }

  private void checkRunning() {
    if (failure != null) {
      throw new IllegalStateException("watching " + topic + " failed: " + failure, failure);
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread.getState() == Thread.State.NEW) {
      // Never started: the thread that would close the consumer never will.
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
