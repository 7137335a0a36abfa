package io.streamdistill.datasets;

import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * How far a long reading is, said every {@value #EVERY_SECONDS} seconds once it lasts longer (a folder of large
 * photos, a table of millions of rows); a short one says nothing. Not thread-safe: the reading thread's.
 */
final class ReadingProgress {
  /** Seconds between two reports. */
  static final long EVERY_SECONDS = 10;
  private static final long EVERY_NANOS = EVERY_SECONDS * 1_000_000_000L;

  private final Consumer<String> out;
  private final long started = System.nanoTime();
  private long next = started + EVERY_NANOS;

  /** Tells {@code out}; null tells nothing. */
  ReadingProgress(Consumer<String> out) {
    this.out = out;
  }

  /** Tells what {@code report} makes of the seconds so far, when the next report is due. */
  void tick(LongFunction<String> report) {
    if (out == null) {
      return;
    }
    long now = System.nanoTime();
    if (now >= next) {
      next = now + EVERY_NANOS;
      out.accept(report.apply((now - started) / 1_000_000_000L));
    }
  }
}
