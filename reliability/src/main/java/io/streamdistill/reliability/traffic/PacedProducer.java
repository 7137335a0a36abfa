package io.streamdistill.reliability.traffic;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Traffic in front of the system while it is disrupted: records at a steady rate on a thread of its
 * own until told to stop, counting what the broker acknowledged. Idempotent, with a delivery timeout
 * long enough to ride out a broker restart, so that the traffic itself neither loses nor repeats a
 * record and every gap or duplicate an audit finds is the service's.
 *
 * <p>Pacing follows a schedule of send times, so that a late wake-up is made up by the next sends.
 * {@link #close()} stops, flushes and closes the producer; the counters are safe to read from any thread.
 */
public final class PacedProducer implements AutoCloseable {
  /** The record of each sequence number; called on the producer's thread only. */
  @FunctionalInterface
  public interface RecordSource {
    ProducerRecord<String, byte[]> record(long sequence);
  }

  private static final long MAX_CATCH_UP_NANOS = 1_000_000_000L;

  private final KafkaProducer<String, byte[]> producer;
  private final double perSecond;
  private final long limit;
  private final RecordSource source;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

  /**
   * @param perSecond the rate; 0 for as fast as the producer takes them
   * @param limit how many records at most
   */
  public PacedProducer(String name, Map<String, Object> clientConfig, double perSecond, long limit,
      RecordSource source) {
    this.producer = new KafkaProducer<>(config(clientConfig), new StringSerializer(), new ByteArraySerializer());
    this.perSecond = perSecond;
    this.limit = limit;
    this.source = source;
    this.thread = new Thread(this::run, "paced-" + name);
    thread.setDaemon(true);
  }

  static Map<String, Object> config(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove("schema.registry.url");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // A broker restart takes seconds; retry through it rather than drop records.
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    return config;
  }

  public PacedProducer start() {
    thread.start();
    return this;
  }

  private void run() {
    long interval = perSecond <= 0 ? 0 : (long) (1e9 / perSecond);
    long next = System.nanoTime();
    for (long sequence = 0; sequence < limit && running.get(); sequence++) {
      if (interval > 0) {
        long now = System.nanoTime();
        while (next - now > 0 && running.get()) {
          LockSupport.parkNanos(next - now);
          now = System.nanoTime();
        }
        next = Math.max(next, now - MAX_CATCH_UP_NANOS) + interval;
      }
      send(sequence);
    }
  }

  // The send's callback counts the outcome and keeps the first failure: its future has nothing more to say.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void send(long sequence) {
    try {
      producer.send(source.record(sequence), (metadata, e) -> {
        if (e == null) {
          acked.incrementAndGet();
        } else {
          failed.incrementAndGet();
          firstFailure.compareAndSet(null, e);
        }
      });
      sent.incrementAndGet();
    } catch (KafkaException e) {
      failed.incrementAndGet();
      firstFailure.compareAndSet(null, e);
    }
  }

  /** Whether it has sent everything it was asked to (a limited producer). */
  public boolean done() {
    return !thread.isAlive();
  }

  public long sent() {
    return sent.get();
  }

  public long acked() {
    return acked.get();
  }

  public long failed() {
    return failed.get();
  }

  /** The first send that failed, or null. */
  public Exception firstFailure() {
    return firstFailure.get();
  }

  /** Stops sending and waits until everything sent is acknowledged or failed. */
  public void stopAndFlush() {
    running.set(false);
    LockSupport.unpark(thread);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.flush();
  }

  @Override
  public void close() {
    stopAndFlush();
    producer.close();
  }
}
