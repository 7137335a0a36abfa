package io.streamdistill.demo;

import io.streamdistill.trainer.stream.VersionGate;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a demo run does, validated when made (a bad value names itself). Immutable.
 *
 * @param scenario which data, teacher and student (a preset or the user's own file)
 * @param events how many input events the producer replays (looping if needed); 0: {@link #defaultEvents}
 *     ({@value #DEFAULT_PASSES} passes over the replayed examples, since a small file is short traffic for a student
 *     learning online; images at least {@value #MIN_IMAGE_EVENTS})
 * @param eventsPerSecond the replay's rate
 * @param omitClass a class held back until {@code switchAt} of the replay (Hinton's "omitted 3"), or null
 * @param requestsPerSecond rate of the request stream the edge node answers
 * @param cascadeThreshold below this student confidence the edge asks the teacher; NaN ({@code
 *     EdgeConfig.CALIBRATED_CASCADE}): each version's calibrated threshold
 * @param publishEvery a candidate version every this many soft labels...
 * @param publishInterval ...or this often
 * @param gate what a candidate must reach to be published, and the publishing pace ({@link #GATE} with one)
 * @param out the report folder
 * @param maxDuration the run stops after this long whatever happened
 */
public record DemoSettings(Scenario scenario, int events, double eventsPerSecond, String omitClass,
    double requestsPerSecond, double cascadeThreshold, long publishEvery, Duration publishInterval,
    VersionGate gate, Path out, Duration maxDuration) {

  /** Passes over the replayed examples when no event count is given. */
  public static final int DEFAULT_PASSES = 3;
  /**
   * Images: at least this many events when no count is given. A convolutional student learns from more
   * examples than an MLP does: on 3,000 photos of three shapes (the teacher 72.9%) it was still at chance after
   * the three passes' 7,260 events and at 78.7% held-out agreement after 20,000 (2026-12-04, one run).
   */
  public static final int MIN_IMAGE_EVENTS = 20_000;

  /**
   * The most events replayed when none are given: a large file's are a shuffled sample of it, so that a run ends in
   * minutes (three passes over a million reviews at 200 a second would take four hours, and the loop is shown by
   * then).
   */
  public static final int MAX_DEFAULT_EVENTS = 60_000;

  /**
   * The events replayed when none are given: {@value #DEFAULT_PASSES} passes; images at least {@value
   * #MIN_IMAGE_EVENTS}; {@value #MAX_DEFAULT_EVENTS} at most.
   */
  public static int defaultEvents(int replayedExamples, boolean images) {
    long passes = (long) DEFAULT_PASSES * replayedExamples;
    return (int) Math.min(MAX_DEFAULT_EVENTS, images ? Math.max(passes, MIN_IMAGE_EVENTS) : passes);
  }
  /**
   * The demo's gate before a pace is given: the trainer's defaults, but judging candidates from 50
   * held-out samples, as a short stream has few.
   */
  public static final VersionGate GATE = new VersionGate(VersionGate.defaults().minAgreement(),
      VersionGate.defaults().tolerance(), 50);

  public DemoSettings {
    if (events != 0 && events < 100) {
      throw new IllegalArgumentException("--events must be at least 100 (or 0: the replayed data "
          + DEFAULT_PASSES + " times), got " + events);
    }
    if (!(eventsPerSecond > 0)) {
      throw new IllegalArgumentException("--rate must be positive, got " + eventsPerSecond);
    }
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("--requests-per-second must be positive, got " + requestsPerSecond);
    }
    if (!Double.isNaN(cascadeThreshold) && !(cascadeThreshold >= 0 && cascadeThreshold <= 1)) {
      throw new IllegalArgumentException("--cascade-threshold must be 'calibrated' or in [0, 1], got "
          + cascadeThreshold);
    }
    if (publishEvery < 1) {
      throw new IllegalArgumentException("--publish-every must be positive, got " + publishEvery);
    }
    java.util.Objects.requireNonNull(scenario, "scenario");
    java.util.Objects.requireNonNull(gate, "gate");
    if (omitClass != null && omitClass.isBlank()) {
      throw new IllegalArgumentException("--omit-class must name a class, got an empty name");
    }
  }
}
