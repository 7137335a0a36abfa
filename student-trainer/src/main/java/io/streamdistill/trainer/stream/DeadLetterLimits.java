package io.streamdistill.trainer.stream;

import io.streamdistill.config.Durations;
import java.time.Duration;

/**
 * When the trainer writes waiting dead letters on their own rather than with the next version: a
 * bound on what a gate that refuses every candidate can make it hold. Immutable.
 *
 * @param maxRecords this many letters waiting ({@code --dead-letters-max-waiting})
 * @param maxBytes their original bytes reach this much (a guard against large records)
 * @param maxWait the oldest waited this long ({@code --dead-letters-max-wait})
 */
public record DeadLetterLimits(int maxRecords, long maxBytes, Duration maxWait) {
  public static final String DEFAULT_MAX_RECORDS = "1000";
  public static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
  public static final String DEFAULT_MAX_WAIT = "30s";

  public DeadLetterLimits {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("--dead-letters-max-waiting must be positive, got " + maxRecords);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("the dead letters' byte bound must be positive, got " + maxBytes);
    }
    if (maxWait == null || maxWait.isNegative() || maxWait.isZero()) {
      throw new IllegalArgumentException("--dead-letters-max-wait must be positive, got " + maxWait);
    }
  }

  public static DeadLetterLimits defaults() {
    return new DeadLetterLimits(Integer.parseInt(DEFAULT_MAX_RECORDS), DEFAULT_MAX_BYTES,
        Durations.parse("--dead-letters-max-wait", DEFAULT_MAX_WAIT));
  }
}
