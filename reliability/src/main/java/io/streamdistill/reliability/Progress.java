package io.streamdistill.reliability;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The campaign's progress lines: time, case, what just happened. A campaign runs for minutes; these
 * lines say which disruption it is at, so that a hang shows where it hangs. Thread-safe.
 */
public final class Progress {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
  private final PrintWriter out;

  public Progress(PrintWriter out) {
    this.out = out;
  }

  /** One line, {@link String#format} style (Locale.ROOT). */
  public synchronized void line(String caseName, String format, Object... args) {
    // The operator's wall clock: the local time zone is meant.
    out.printf(Locale.ROOT, "%s [%s] %s%n", LocalTime.now(ZoneId.systemDefault()).format(TIME), caseName,
        String.format(Locale.ROOT, format, args));
    out.flush();
  }
}
