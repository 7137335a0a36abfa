package io.streamdistill.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations people type: 250ms, 10s, 2m, 1h (or an ISO-8601 PT10S). */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses {@code text}; a wrong one gives an IllegalArgumentException that names {@code option}.
   */
  public static Duration parse(String option, String text) {
    Matcher m = SIMPLE.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " must be a duration such as 500ms, 10s, 2m or 1h, not '"
          + text + "'");
    }
  }

  /**
   * Parses {@code text} as a limit of whole seconds, at least one (a time limit such as {@code --max-time
   * 10m}); a wrong or shorter one gives an IllegalArgumentException that names {@code option}.
   */
  public static long parseSeconds(String option, String text) {
    Duration limit = parse(option, text);
    if (limit.toSeconds() < 1) {
      throw new IllegalArgumentException(option + " must be at least 1s, not " + text);
    }
    return limit.toSeconds();
  }

  /** A duration as people type it: the largest of h, m, s and ms that states it whole (90s, 2m, 1500ms). */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis != 0 && millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
