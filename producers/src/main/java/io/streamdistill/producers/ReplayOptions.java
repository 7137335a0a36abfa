package io.streamdistill.producers;

import java.time.Duration;
import java.util.Objects;

/**
 * How a source is replayed into Kafka. Validated on construction, with messages that name the
 * command-line option.
 *
 * @param topic the input-events topic
 * @param count events to send; 0 for "the whole source once" (or forever with {@code loop})
 * @param eventsPerSecond base rate; 0 for as fast as the broker takes them
 * @param shuffle random order instead of the source's
 * @param seed seed of every random choice (order, late-label share)
 * @param loop start over when the source is used up (ids get a #pass suffix after the first pass)
 * @param key what the record key is
 * @param labels whether labels travel with events
 * @param lateShare with LATE labels: the share of events whose label arrives late
 * @param lateDelay with LATE labels: how long after its event a late label is sent
 * @param scenario the shape of the traffic
 * @param progressInterval how often a progress line is reported
 */
public record ReplayOptions(
    String topic,
    long count,
    double eventsPerSecond,
    boolean shuffle,
    long seed,
    boolean loop,
    KeyChoice key,
    LabelPolicy labels,
    double lateShare,
    Duration lateDelay,
    Scenario scenario,
    Duration progressInterval) {

  public ReplayOptions {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(lateDelay, "lateDelay");
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(progressInterval, "progressInterval");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("--topic must not be empty");
    }
    if (count < 0) {
      throw new IllegalArgumentException("--count must be 0 (all) or more, not " + count);
    }
    if (!(eventsPerSecond >= 0) || Double.isInfinite(eventsPerSecond)) {
      throw new IllegalArgumentException("--rate must be 0 (unlimited) or a positive number, not " + eventsPerSecond);
    }
    if (!(lateShare >= 0 && lateShare <= 1)) {
      throw new IllegalArgumentException("--late-share must be in [0, 1], not " + lateShare);
    }
    if (lateDelay.isNegative()) {
      throw new IllegalArgumentException("--late-delay must not be negative");
    }
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new IllegalArgumentException("--progress-interval must be positive");
    }
  }

  /** Defaults for tests and embedding: the whole source once, fast, in order, labels attached. */
  public static ReplayOptions defaults(String topic) {
    return new ReplayOptions(topic, 0, 0, false, 42L, false, KeyChoice.ID, LabelPolicy.ALWAYS, 0.3,
        Duration.ofSeconds(10), new Scenario.Steady(), Duration.ofSeconds(5));
  }

  public ReplayOptions withCount(long newCount) {
    return new ReplayOptions(topic, newCount, eventsPerSecond, shuffle, seed, loop, key, labels, lateShare,
        lateDelay, scenario, progressInterval);
  }

  public ReplayOptions withScenario(Scenario newScenario, boolean newShuffle) {
    return new ReplayOptions(topic, count, eventsPerSecond, newShuffle, seed, loop, key, labels, lateShare,
        lateDelay, newScenario, progressInterval);
  }

  public ReplayOptions withLabels(LabelPolicy newLabels, double newLateShare, Duration newLateDelay) {
    return new ReplayOptions(topic, count, eventsPerSecond, shuffle, seed, loop, key, newLabels, newLateShare,
        newLateDelay, scenario, progressInterval);
  }
}
