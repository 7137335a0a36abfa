package io.streamdistill.serde;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rides out a schema registry that cannot be reached: runs a serde call again, with growing pauses,
 * for as long as it fails only because the registry is unavailable ({@link
 * AvroSerdeException#registryUnavailable()}), saying so in one log line when the outage starts and
 * one when it ends. A record that needs the registry is thus never dead-lettered, nor a version
 * rejected, because the registry was down when it was read: the reader waits instead. Any other
 * failure is the caller's to handle, at once.
 */
public final class RegistryOutage {
  private static final Logger LOGGER = LoggerFactory.getLogger(RegistryOutage.class);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);

  private RegistryOutage() {}

  /**
   * Runs {@code call} until it returns, fails for another reason, {@code giveUp} has passed, or
   * {@code stop} says so.
   *
   * @param what what the call does, for the log line (e.g. "decoding soft labels from distill.soft-labels")
   * @param giveUp how long to keep trying; past it the last registry failure is thrown
   * @param stop checked between attempts (e.g. the service is closing): when true, the last failure is thrown
   * @throws AvroSerdeException the last failure, when the registry stayed unavailable
   */
  public static <T> T retry(String what, Duration giveUp, BooleanSupplier stop, Supplier<T> call) {
    long deadline = System.nanoTime() + giveUp.toNanos();
    long pauseNanos = FIRST_PAUSE.toNanos();
    long startedNanos = 0;
    while (true) {
      try {
        T result = call.get();
        if (startedNanos != 0) {
          LOGGER.atInfo().addKeyValue("what", what)
              .addKeyValue("outageMillis", (System.nanoTime() - startedNanos) / 1_000_000)
              .log("schema registry reachable again; going on");
        }
        return result;
      } catch (AvroSerdeException e) {
        if (!e.registryUnavailable() || System.nanoTime() + pauseNanos > deadline || stop.getAsBoolean()) {
          throw e;
        }
        if (startedNanos == 0) {
          startedNanos = System.nanoTime();
          LOGGER.atWarn().addKeyValue("what", what).addKeyValue("giveUpAfter", giveUp)
              .addKeyValue("cause", e.getCause().getMessage())
              .log("schema registry unavailable; waiting for it and retrying (nothing is dead-lettered for this)");
        }
        try {
          Thread.sleep(pauseNanos / 1_000_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pauseNanos = Math.min(pauseNanos * 2, LONGEST_PAUSE.toNanos());
      }
    }
  }
}
