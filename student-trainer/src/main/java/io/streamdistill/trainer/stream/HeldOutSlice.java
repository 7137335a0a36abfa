package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.EventAttributes;
import io.streamdistill.schemas.InputEvent;

/**
 * The deterministic slice of traffic the student never trains on: an event is held out when the
 * 64-bit FNV-1a hash of its id, salted so it is independent of Kafka's partitioning hash, falls in
 * the first {@code percent} of 10,000 buckets. The same event is held out in every run and after
 * every restart. Events that replay one example (a producer's passes over a data set, {@link
 * EventAttributes#EXAMPLE}) are drawn by the example's id, so an example held out in one pass is
 * never trained on in another (drawn by event id, an example held out in one pass was trained on
 * in the others: a 12-pass image demo read 99.2% held-out agreement where the requests gave 96.6%).
 */
public final class HeldOutSlice {
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final String SALT = "held-out:";

  private final int basisPoints;

  /** @param percent share of events held out, 0 to 50 */
  public HeldOutSlice(double percent) {
    if (!(percent >= 0 && percent <= 50)) {
      throw new IllegalArgumentException("the held-out share must be 0-50%, got " + percent);
    }
    this.basisPoints = (int) Math.round(percent * 100);
  }

  /** Whether the example {@code event} replays is held out ({@link EventAttributes#exampleId}). */
  public boolean isHeldOut(InputEvent event) {
    return isHeldOut(EventAttributes.exampleId(event));
  }

  /** Whether the example (or event) of this id is held out. */
  public boolean isHeldOut(String eventId) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < SALT.length(); i++) {
      hash = (hash ^ SALT.charAt(i)) * FNV_PRIME;
    }
    for (int i = 0; i < eventId.length(); i++) {
      hash = (hash ^ eventId.charAt(i)) * FNV_PRIME;
    }
    return Long.remainderUnsigned(hash, 10_000) < basisPoints;
  }
}
