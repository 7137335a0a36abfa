package io.streamdistill.teacher.streams;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's {@link InputPause}: {@link KafkaStreams#pause()}, and {@link KafkaStreams#resume()} when the last
 * wait asked for has passed. Paused, the stream threads process nothing but keep polling, so their consumers stay
 * in the group and keep their tasks: no rebalance, no session timeout to wait out. Thread-safe: stream threads
 * ask for pauses, its own timer thread resumes; {@link #close} stops the timer (and resumes nothing).
 */
public final class StreamsInputPause implements InputPause, AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(StreamsInputPause.class);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "teacher-input-resume");
    thread.setDaemon(true);
    return thread;
  });
  private KafkaStreams streams;
  private long resumeAtNanos;
  private ScheduledFuture<?> resume;

  /** The streams to pause: set once they are made (a pause asked for before is ignored). */
  public synchronized void attach(KafkaStreams streams) {
    this.streams = streams;
  }

  @Override
  public synchronized void pauseFor(Duration wait) {
    if (streams == null || timer.isShutdown()) {
      return;
    }
    long at = System.nanoTime() + wait.toNanos();
    if (!streams.isPaused()) {
      streams.pause();
      resumeAtNanos = at;
      // The labeller says when an outage begins and ends; a pause a hold, every second or so of it, is detail.
      LOGGER.atDebug().addKeyValue("for", wait).log("input paused while the teachers are unavailable");
    } else if (at - resumeAtNanos <= 0) {
      return;
    } else {
      resumeAtNanos = at;
    }
    if (resume != null) {
      resume.cancel(false);
    }
    resume = timer.schedule(this::resumeIfDue, Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** Whether the input is paused now. */
  public synchronized boolean paused() {
    return streams != null && streams.isPaused();
  }

  private synchronized void resumeIfDue() {
    if (streams.isPaused() && System.nanoTime() - resumeAtNanos >= 0) {
      streams.resume();
      LOGGER.atDebug().log("input resumed: the teachers are asked again");
    }
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
  }
}
