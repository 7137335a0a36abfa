package io.streamdistill.reliability.process;

import io.streamdistill.reliability.CampaignException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition: what another process does (a line in its log, a record on a topic) has no
 * callback here, so it is polled, at a short interval, with a deadline and a message that says what was
 * awaited and what the state was.
 */
public final class Await {
  private static final long POLL_MILLIS = 100;

  private Await() {}

  /** Returns once {@code condition} holds; fails after {@code timeout} with {@code state} in the message. */
  public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<?> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new CampaignException("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; state: "
            + state.get());
      }
      pause(POLL_MILLIS);
    }
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "(none)");
  }

  /**
   * Lets a chosen stretch of time pass: for the random moment of a kill, and for a pace; never in place
   * of a condition.
   */
  public static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CampaignException("interrupted", e);
    }
  }
}
