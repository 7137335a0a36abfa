package io.streamdistill.trainer.stream;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the trainer, for the progress line, tests and the demo. Counts are since start.
 *
 * @param consumed soft labels read (trained, held out, dead-lettered or skipped)
 * @param trained samples learned from
 * @param heldOut samples kept apart for evaluation
 * @param deadLetters bad soft labels sent (or waiting to be sent) to dead letters
 * @param deadLettersWaiting of those, how many wait in memory for the next version or the next
 *     flush (bounded by {@link DeadLetterLimits})
 * @param skipped late labels (nothing to learn, nothing wrong)
 * @param lag soft labels on the topic not yet read
 * @param version the version in service (published last), 0 before the first
 * @param published versions published since start
 * @param rejected candidates the gate refused since start
 * @param prequentialAgreement agreement with the teachers over the last trained samples, each scored before learning it
 * @param prequentialAccuracy accuracy over the labelled ones among them (NaN without labels)
 * @param heldOutAgreement the version in service's agreement on the held-out slice when it was published
 * @param decisions the gate's last few decisions on candidates, oldest first, each with the figures
 *     it was taken on (so that "why was nothing published?" has an answer in the status)
 * @param lastDeadLetterReason why the last bad soft label was dead-lettered; empty before the first
 * @param decisionsMade the gate's decisions (and restarts) since start: a later one has a larger count
 * @param readThrough per partition of the soft-label topic, the offset after the last record read (what
 *     a candidate judged from now on has learned from)
 */
public record TrainerStatus(long consumed, long trained, long heldOut, long deadLetters, long deadLettersWaiting,
    long skipped, long lag,
    long version, long published, long rejected, double prequentialAgreement, double prequentialAccuracy,
    double heldOutAgreement, List<String> decisions, String lastDeadLetterReason, long decisionsMade,
    Map<Integer, Long> readThrough) {
  public TrainerStatus {
    decisions = List.copyOf(decisions);
    readThrough = Map.copyOf(readThrough);
    lastDeadLetterReason = lastDeadLetterReason == null ? "" : lastDeadLetterReason;
  }

  static TrainerStatus initial() {
    return new TrainerStatus(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, List.of(), "", 0,
        Map.of());
  }

  /** The gate's last decision, or an empty string before the first candidate. */
  public String lastDecision() {
    return decisions.isEmpty() ? "" : decisions.get(decisions.size() - 1);
  }

  /** Whether the gate held the last candidate (each decision starts with its outcome): it ships by --max-quiet. */
  public boolean holdsACandidate() {
    return lastDecision().startsWith(VersionGate.Outcome.HOLD.name());
  }

  /**
   * Whether the gate refused the last candidate it judged (worse than the version in service, or below the first
   * version's minimum); a restart of the learner that followed it does not count as a judgement.
   */
  public boolean refusedTheLastCandidate() {
    for (int i = decisions.size() - 1; i >= 0; i--) {
      String decision = decisions.get(i);
      for (VersionGate.Outcome outcome : VersionGate.Outcome.values()) {
        if (decision.startsWith(outcome.name() + " ")) {
          return outcome == VersionGate.Outcome.REJECT;
        }
      }
    }
    return false;
  }
}
