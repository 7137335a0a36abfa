package io.streamdistill.producers;

import java.time.Duration;
import java.util.List;

/**
 * What a replay did.
 *
 * @param sent events acknowledged by the broker
 * @param failed events the broker did not take (after the producer's own retries)
 * @param lateLabelsSent late-label events acknowledged
 * @param skippedInSource bad items of the source that were skipped
 * @param firstErrors the first few send errors, each with the event id
 * @param eventsElapsed time until every event (not late label) was acknowledged
 * @param elapsed wall-clock time of the whole replay, late labels included
 */
public record ReplayResult(long sent, long failed, long lateLabelsSent, long skippedInSource,
    List<String> firstErrors, Duration eventsElapsed, Duration elapsed) {

  /** Events acknowledged per second while events were being sent. */
  public double eventsPerSecond() {
    double seconds = eventsElapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : sent / seconds;
  }

  public boolean succeeded() {
    return failed == 0;
  }
}
