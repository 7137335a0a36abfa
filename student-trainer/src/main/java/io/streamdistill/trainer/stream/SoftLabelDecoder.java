package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.serde.RegistryOutage;
import io.streamdistill.trainer.model.TrainingSample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The trainer's reading half, on its own thread: polls soft labels, decodes and checks them, and
 * featurizes them into {@link Item}s for the training thread, through a bounded queue. Decoding
 * (Avro, boxed floats) costs as much per sample as a small model's training step; on its own thread it
 * overlaps with training instead of adding to it.
 *
 * <p>Owns the consumer while it runs (KafkaConsumer is not thread-safe; only {@link #wakeUp()} may be
 * called from another thread). Items keep the topic's order per partition, and the last item of each
 * partition in a poll carries the consumer's position after it, so that the training thread knows
 * exactly which offsets it has learned through (transaction markers included).
 */
final class SoftLabelDecoder implements Runnable {
  /** One record, decoded; or only a position (records the consumer skipped, such as transaction markers). */
  record Item(int partition, long offset, long positionAfter, TrainingSample sample, boolean heldOut,
      DeadLetter deadLetter, boolean skipped, List<TeacherOutput> teachers) {
    boolean positionOnly() {
      return offset < 0;
    }
  }

  private static final String SERVICE = "student-trainer";
  private static final Duration FOREVER = Duration.ofDays(365);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Deserializer<SoftLabel> deserializer;
  private final SoftLabelReader reader;
  private final HeldOutSlice slice;
  private final BlockingQueue<Item> queue;
  private final AtomicBoolean closed;
  private final Map<TopicPartition, Long> reported = new HashMap<>();
  private volatile RuntimeException failure;
  private volatile long lag;
  private volatile boolean caughtUp;
  private long lagAt;

  SoftLabelDecoder(KafkaConsumer<byte[], byte[]> consumer, Deserializer<SoftLabel> deserializer,
      SoftLabelReader reader, HeldOutSlice slice, BlockingQueue<Item> queue, AtomicBoolean closed) {
    this.consumer = consumer;
    this.deserializer = deserializer;
    this.reader = reader;
    this.slice = slice;
    this.queue = queue;
    this.closed = closed;
  }

  @Override
  public void run() {
    try {
      for (TopicPartition tp : consumer.assignment()) {
        reported.put(tp, consumer.position(tp));
      }
      while (!closed.get()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        List<Item> items = new ArrayList<>(records.count() + 2);
        for (TopicPartition tp : consumer.assignment()) {
          List<ConsumerRecord<byte[], byte[]>> partition = records.records(tp);
          long position = consumer.position(tp);
          for (int i = 0; i < partition.size(); i++) {
            items.add(decode(partition.get(i), i == partition.size() - 1 ? position : -1));
          }
          if (partition.isEmpty() && position != reported.getOrDefault(tp, -1L)) {
            items.add(new Item(tp.partition(), -1, position, null, false, null, false, List.of()));
          }
          reported.put(tp, position);
        }
        for (Item item : items) {
          queue.put(item);
        }
        caughtUp = atEnd();
        if (System.nanoTime() - lagAt > 2_000_000_000L) {
          lagAt = System.nanoTime();
          lag = lag();
        }
      }
    } catch (WakeupException | InterruptedException e) {
      if (!closed.get()) {
        failure = new IllegalStateException("soft-label reader stopped unexpectedly", e);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** Why the reader stopped, if it failed. */
  RuntimeException failure() {
    return failure;
  }

  private long lag() {
    try {
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(5));
      long total = 0;
      for (var entry : end.entrySet()) {
        total += Math.max(0, entry.getValue() - consumer.position(entry.getKey()));
      }
      return total;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return lag;
    }
  }

  long lastLag() {
    return lag;
  }

  /**
   * Whether the last poll left nothing to read: every assigned partition at the end the broker last reported
   * (its last stable offset, as the consumer reads committed), from the consumer's own fetch state.
   */
  boolean caughtUp() {
    return caughtUp;
  }

  private boolean atEnd() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      return false;
    }
    for (TopicPartition tp : assigned) {
      OptionalLong behind = consumer.currentLag(tp);
      if (behind.isEmpty() || behind.getAsLong() > 0) {
        return false;
      }
    }
    return true;
  }

  void wakeUp() {
    consumer.wakeup();
  }

  private Item decode(ConsumerRecord<byte[], byte[]> record, long positionAfter) {
    SoftLabel label;
    try {
      // A registry outage is waited out here (no group to leave: the partitions are assigned).
      label = RegistryOutage.retry("decoding soft labels from " + record.topic(), FOREVER, closed::get,
          () -> deserializer.deserialize(record.topic(), record.value()));
      if (label == null) {
        return dead(record, positionAfter, "empty record (no value)", null);
      }
    } catch (RuntimeException e) {
      return dead(record, positionAfter, "undecodable soft label: " + e.getMessage(), e);
    }
    if (SoftLabelReader.isLateLabel(label)) {
      return new Item(record.partition(), record.offset(), positionAfter, null, false, null, true, List.of());
    }
    try {
      TrainingSample sample = reader.read(label);
      return new Item(record.partition(), record.offset(), positionAfter, sample,
          slice.isHeldOut(label.getEvent()), null, false, label.getTeachers());
    } catch (BadSoftLabelException e) {
      return dead(record, positionAfter, e.getMessage(), null);
    }
  }

  private static Item dead(ConsumerRecord<byte[], byte[]> record, long positionAfter, String reason, Exception error) {
    DeadLetter letter = DeadLetter.newBuilder()
        .setService(SERVICE)
        .setReason(reason)
        .setErrorClass(error == null ? null : error.getClass().getName())
        .setTopic(record.topic())
        .setPartition(record.partition())
        .setOffset(record.offset())
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setTimestamp(Instant.now())
        .build();
    return new Item(record.partition(), record.offset(), positionAfter, null, false, letter, false, List.of());
  }
}
