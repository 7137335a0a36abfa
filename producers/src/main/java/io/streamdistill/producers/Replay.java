package io.streamdistill.producers;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.schemas.EventAttributes;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Replays an {@link ExampleSource} into the input-events topic as {@link InputEvent}s, following
 * {@link ReplayOptions}: order and rate from the scenario, labels attached, withheld or sent late.
 *
 * <p>The producer is the caller's (it closes it). Sends are asynchronous; the result counts only
 * what the broker acknowledged, and every failure is counted and reported with its event id. One
 * replay runs on one thread; {@link #stop()} may be called from any thread (e.g. a shutdown hook).
 */
public final class Replay {
  /** How many send errors are kept for the report. */
  static final int KEPT_ERRORS = 5;

  /** Receives a progress snapshot every {@link ReplayOptions#progressInterval()}. */
  @FunctionalInterface
  public interface Listener {
    void progress(long sent, long failed, long lateLabelsPending, double eventsPerSecond);
  }

  private record LateLabel(long dueNanos, String key, String id, String label) {}

  private final ExampleSource source;
  /** {@link EventAttributes#IMAGE_SHAPE} of the source's images; null when they are not images. */
  private final String imageShape;
  /** The attributes of every first-pass event, made once. */
  private final Map<String, String> firstPassAttributes;
  private final Producer<String, InputEvent> producer;
  private final ReplayOptions options;
  private final long maxErrors;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong lateAcked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<String> firstErrors = Collections.synchronizedList(new ArrayList<>());
  private final Deque<LateLabel> lateLabels = new ArrayDeque<>();
  private volatile boolean stopped;

  /**
   * @param maxErrors give up after this many failed sends (e.g. the broker is gone); 0 for never
   */
  public Replay(ExampleSource source, Producer<String, InputEvent> producer, ReplayOptions options, long maxErrors) {
    this.source = source;
    this.imageShape = EventAttributes.imageShape(source.imageShape());
    this.producer = producer;
    this.options = options;
    this.maxErrors = maxErrors;
    this.firstPassAttributes = Map.copyOf(attributesOf(0, null));
  }

  /** Asks a running replay to stop after the event in flight; it still waits for acknowledgements. */
  public void stop() {
    stopped = true;
  }

  /**
   * Runs the replay to its end (or until {@link #stop()} or too many errors) and returns once every
   * send has been acknowledged or has failed.
   *
   * @throws IllegalArgumentException if the options do not fit the source (e.g. more events than
   *     examples without --loop)
   */
  public ReplayResult run(Listener listener) {
    long target = target();
    Random random = new Random(options.seed());
    Pacer pacer = new Pacer(options.eventsPerSecond());
    long started = System.nanoTime();
    long nextProgress = started + options.progressInterval().toNanos();
    long position = 0;
    for (int pass = 0; position < target && !stopped; pass++) {
      int passSize = (int) Math.min(source.size(), target - position);
      int[] order = options.scenario().order(source, passSize, options.shuffle(), random);
      for (int i = 0; i < passSize && !stopped; i++) {
        sendDueLateLabels(System.nanoTime());
        pacer.await(options.scenario().rateFactor(i, passSize));
        Example example = source.get(order[i]);
        String id = pass == 0 ? example.id() : example.id() + "#" + pass;
        send(eventFor(example, id, pass, random), id, false);
        position++;
        long now = System.nanoTime();
        if (now >= nextProgress) {
          listener.progress(acked.get(), failed.get(), lateLabels.size(), rate(started, now));
          nextProgress = now + options.progressInterval().toNanos();
        }
        if (maxErrors > 0 && failed.get() >= maxErrors) {
          stopped = true;
          firstErrorsAdd("gave up after " + failed.get() + " failed sends");
        }
      }
    }
    flush(); // every event acknowledged (or failed): the rate below is the events' own
    Duration eventsElapsed = Duration.ofNanos(System.nanoTime() - started);
    // Late labels still due: wait for them (the replay is not over until ground truth has arrived).
    while (!lateLabels.isEmpty() && !stopped) {
      long now = System.nanoTime();
      sendDueLateLabels(now);
      if (now >= nextProgress) {
        listener.progress(acked.get(), failed.get(), lateLabels.size(), rate(started, now));
        nextProgress = now + options.progressInterval().toNanos();
      }
      if (!lateLabels.isEmpty()) {
        sleepUntil(Math.min(lateLabels.peekFirst().dueNanos(), nextProgress));
      }
    }
    flush();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    return new ReplayResult(acked.get(), failed.get(), lateAcked.get(), source.skipped().count(),
        List.copyOf(firstErrors), eventsElapsed, elapsed);
  }

  private void flush() {
    try {
      producer.flush();
    } catch (InterruptException e) {
      stopped = true;
      Thread.currentThread().interrupt();
    }
  }

  private long target() {
    if (source.size() == 0) {
      throw new IllegalArgumentException("source " + source.name() + " has no usable example ("
          + source.skipped() + ")");
    }
    if (options.count() == 0) {
      return options.loop() ? Long.MAX_VALUE : source.size();
    }
    if (!options.loop() && options.count() > source.size()) {
      throw new IllegalArgumentException("--count " + options.count() + " is more than the " + source.size()
          + " examples of " + source.name() + "; add --loop to go round again");
    }
    return options.count();
  }

  private InputEvent eventFor(Example example, String id, int pass, Random random) {
    String label = example.label();
    boolean attach = label != null && options.labels() == LabelPolicy.ALWAYS;
    if (label != null && options.labels() == LabelPolicy.LATE && random.nextDouble() < options.lateShare()) {
      lateLabels.addLast(new LateLabel(System.nanoTime() + options.lateDelay().toNanos(),
          keyFor(id, label), id, label));
    }
    InputEvent.Builder event = InputEvent.newBuilder()
        .setId(id)
        .setTimestamp(Instant.now())
        .setSource(source.name())
        .setKind(EventKind.OBSERVATION)
        .setText(example.text())
        .setVector(example.vector() == null ? null : new FloatList(example.vector()))
        // Typed as read: Double, String or null per field (the source fixes each field's type).
        .setStructured(example.fields())
        .setLabel(attach ? label : null)
        .setAttributes(attributes(pass, example.id()));
    return event.build();
  }

  /**
   * The scenario; the images' shape when the source has one; from the second pass on, the pass and the example the
   * event replays (its first id).
   */
  private Map<String, String> attributes(int pass, String exampleId) {
    return pass == 0 ? firstPassAttributes : attributesOf(pass, exampleId);
  }

  private Map<String, String> attributesOf(int pass, String exampleId) {
    Map<String, String> attributes = new HashMap<>(4);
    attributes.put("scenario", options.scenario().name());
    if (imageShape != null) {
      attributes.put(EventAttributes.IMAGE_SHAPE, imageShape);
    }
    if (pass > 0) {
      attributes.put("pass", Integer.toString(pass));
      attributes.put(EventAttributes.EXAMPLE, exampleId);
    }
    return attributes;
  }

  private void sendDueLateLabels(long now) {
    // Labels are due in the order their events were sent: the queue is ordered by due time.
    while (!lateLabels.isEmpty() && lateLabels.peekFirst().dueNanos() <= now && !stopped) {
      LateLabel late = lateLabels.pollFirst();
      InputEvent labelEvent = InputEvent.newBuilder()
          .setId(late.id())
          .setTimestamp(Instant.now())
          .setSource(source.name())
          .setKind(EventKind.LATE_LABEL)
          .setLabel(late.label())
          .setAttributes(Map.of("scenario", options.scenario().name()))
          .build();
      send(labelEvent, late.id(), true);
    }
  }

  private String keyFor(String id, String label) {
    return switch (options.key()) {
      case ID -> id;
      case NONE -> null;
      case LABEL -> label == null ? "unlabelled" : label;
    };
  }

  // The send's callback counts the outcome and keeps the first errors: its future has nothing more to say.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void send(InputEvent event, String id, boolean lateLabel) {
    // With LABEL keys, an event whose label is withheld is keyed "unlabelled": the key must not leak it.
    String key = keyFor(id, event.getLabel());
    Callback callback = (metadata, exception) -> {
      if (exception == null) {
        (lateLabel ? lateAcked : acked).incrementAndGet();
      } else {
        failed.incrementAndGet();
        firstErrorsAdd("event " + id + (lateLabel ? " (late label)" : "") + ": " + exception);
      }
    };
    try {
      producer.send(new ProducerRecord<>(options.topic(), key, event), callback);
    } catch (SerializationException | TimeoutException e) {
      // Synchronous failures of one record (schema refused, metadata not available in time).
      failed.incrementAndGet();
      firstErrorsAdd("event " + id + ": " + e.getMessage());
    } catch (InterruptException e) {
      stopped = true;
      Thread.currentThread().interrupt();
    } catch (KafkaException e) {
      failed.incrementAndGet();
      firstErrorsAdd("event " + id + ": " + e);
      throw e;
    }
  }

  private void firstErrorsAdd(String error) {
    synchronized (firstErrors) {
      if (firstErrors.size() < KEPT_ERRORS) {
        firstErrors.add(error);
      }
    }
  }

  private double rate(long started, long now) {
    double seconds = (now - started) / 1e9;
    return seconds <= 0 ? 0 : acked.get() / seconds;
  }

  private static void sleepUntil(long nanoTime) {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(wait);
    }
  }
}
