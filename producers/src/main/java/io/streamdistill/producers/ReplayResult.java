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
 * @param elapsed wall-clock time of the replay, until every send was acknowledged
 */
public record ReplayResult(long sent, long failed, long lateLabelsSent, long skippedInSource,
    List<String> firstErrors, Duration elapsed) {

  public double eventsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : sent / seconds;
  }

  public boolean succeeded() {
    return failed == 0;
  }
}
