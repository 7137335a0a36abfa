package io.streamdistill.trainer.stream;

/**
 * What happened since the version in service: the counts a published version's metrics report
 * about its own stretch of the stream. One object per stretch: publishing a version starts a new one
 * ({@link OnlineTrainer} replaces it), so no count can be left over from the last stretch by a
 * forgotten reset. Owned by the trainer's thread; not thread-safe.
 */
final class SinceVersion {
  /** Soft labels read (trained, held out, dead-lettered or skipped). */
  long consumed;
  /** Samples learned from. */
  long trained;
  /** Samples learned from whose learning a restart from the version in service dropped. */
  long discarded;
  /** Samples kept apart for evaluation. */
  long heldOut;
  /** Bad soft labels. */
  long dead;
  /** {@link #consumed} when the last candidate was judged (0 before the first). */
  long candidateAtConsumed;
  /** Candidates refused in a row. */
  int rejectedInARow;
  /** Whether the learner restarted from the version in service and no candidate was offered since. */
  boolean restartedSinceCandidate;
  /** Whether the gate held the last candidate (good enough, not better enough yet). */
  boolean lastHeld;

  /**
   * Whether a candidate may be offered now: something new was read since the last one, the learner
   * restarted since, or the last one was held. The second is what closes a quiet stream's lineage: the
   * samples a refused candidate learned from are dropped, and without new traffic no later candidate would
   * record that they were read. The third ships a quiet stream's tail once the version in service has
   * served long enough (the gate's {@code maxQuiet}).
   */
  boolean somethingNew() {
    return (consumed > 0 && consumed != candidateAtConsumed) || restartedSinceCandidate || lastHeld;
  }

  /** A candidate is being offered: what it covers is everything read so far. */
  void candidateOffered() {
    candidateAtConsumed = consumed;
    restartedSinceCandidate = false;
    lastHeld = false;
  }

  /** Soft labels read since the last candidate (or since the version, before the first). */
  long sinceCandidate() {
    return consumed - candidateAtConsumed;
  }

  /** A restart from the version in service: what was learned since is dropped. */
  void learningDropped() {
    discarded = trained;
    rejectedInARow = 0;
    restartedSinceCandidate = true;
  }
}
