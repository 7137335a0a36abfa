package io.streamdistill.trainer.stream;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the trainer counts: since start (for the status, the progress line and the meters) and since
 * the version in service ({@link SinceVersion}, for the next version's metrics), each event counted
 * in both places and on the meter by one call, so that the three cannot drift apart. Also the
 * gate's last decisions, for the status. Owned by the trainer's thread; not thread-safe.
 */
final class TrainerCounts {
  /** How many of the gate's decisions the status keeps. */
  private static final int DECISIONS_KEPT = 8;

  private final TrainerMetrics metrics;
  private long consumed;
  private long trained;
  private long heldOut;
  private long dead;
  private long skipped;
  private long published;
  private long rejected;
  private SinceVersion since = new SinceVersion();
  /** The gate's last decisions, the oldest first; copied for the status only when one is added. */
  private final ArrayDeque<String> decisions = new ArrayDeque<>();
  private List<String> decisionsSnapshot = List.of();
  private String lastDeadLetterReason = "";
  private long decisionsMade;

  TrainerCounts(TrainerMetrics metrics) {
    this.metrics = metrics;
  }

  /** The stretch since the version in service; a new object after each published version. */
  SinceVersion since() {
    return since;
  }

  long consumed() {
    return consumed;
  }

  long trained() {
    return trained;
  }

  void read() {
    consumed++;
    since.consumed++;
    metrics.consumed.increment();
  }

  void deadLettered(String reason) {
    lastDeadLetterReason = reason;
    dead++;
    since.dead++;
    metrics.deadLetters.increment();
  }

  void skipped() {
    skipped++;
  }

  void heldOut() {
    heldOut++;
    since.heldOut++;
    metrics.heldOut.increment();
  }

  void trained(int samples) {
    trained += samples;
    since.trained += samples;
    metrics.trained.increment(samples);
  }

  /** The gate held a candidate (not worse, not better enough): the refusals in a row end here. */
  void held() {
    since.rejectedInARow = 0;
    since.lastHeld = true;
    metrics.held.increment();
  }

  void rejected() {
    rejected++;
    since.rejectedInARow++;
    metrics.rejected.increment();
  }

  /** A version was published: the next stretch starts from nothing. */
  void published() {
    published++;
    metrics.published.increment();
    since = new SinceVersion();
  }

  /** Keeps one of the gate's decisions (or a restart) for the status. */
  void remember(String decision) {
    decisionsMade++;
    decisions.addLast(decision);
    while (decisions.size() > DECISIONS_KEPT) {
      decisions.removeFirst();
    }
    decisionsSnapshot = List.copyOf(decisions);
  }

  TrainerStatus status(long deadLettersWaiting, long lag, long version, SlidingScore prequential,
      double servingHeldOutAgreement, Map<Integer, Long> readThrough) {
    return new TrainerStatus(consumed, trained, heldOut, dead, deadLettersWaiting, skipped, lag, version, published,
        rejected, prequential.agreement(), prequential.accuracy(), servingHeldOutAgreement, decisionsSnapshot,
        lastDeadLetterReason, decisionsMade, readThrough);
  }

  static String progressLine(String modelName, TrainerStatus s, double rate) {
    return String.format(Locale.ROOT, "%s: consumed %,d (%,.0f/s), trained %,d, held out %,d, dead %,d, lag %,d"
            + " | v%d (held-out agreement %.3f), prequential agreement %.3f, accuracy %.3f | published %d, rejected %d",
        modelName, s.consumed(), rate, s.trained(), s.heldOut(), s.deadLetters(), s.lag(), s.version(),
        s.heldOutAgreement(), s.prequentialAgreement(), s.prequentialAccuracy(), s.published(), s.rejected());
  }
}
