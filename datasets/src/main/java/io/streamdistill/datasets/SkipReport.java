package io.streamdistill.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the items of a source that were skipped as bad input and keeps the first few reasons, so
 * that a user learns what was wrong without a log line per bad item.
 *
 * <p>Not thread-safe: filled by the one thread that reads a source, read afterwards.
 */
public final class SkipReport {
  /** How many reasons are kept; the count goes on beyond them. */
  public static final int KEPT_REASONS = 5;

  private final List<String> firstReasons = new ArrayList<>();
  private long count;

  /** Records one skipped item, e.g. {@code skip("line 17", "vector has 3 values, expected 784")}. */
  public void skip(String where, String reason) {
    count++;
    if (firstReasons.size() < KEPT_REASONS) {
      firstReasons.add(where + ": " + reason);
    }
  }

  public long count() {
    return count;
  }

  /** The first {@value #KEPT_REASONS} reasons, each "where: why". */
  public List<String> firstReasons() {
    return List.copyOf(firstReasons);
  }

  @Override
  public String toString() {
    if (count == 0) {
      return "nothing skipped";
    }
    return count + " skipped; first reasons: " + String.join("; ", firstReasons);
  }
}
