package io.streamdistill.teacher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The whole machine's CPU use from {@code /proc/stat}: how many cores were busy over a stretch of time. */
final class MachineCpu {
  private MachineCpu() {}

  /** {busy, total} jiffies over all cores since boot, or {0, 0} where there is no /proc/stat. */
  static long[] read() {
    Path stat = Path.of("/proc/stat");
    if (!Files.isReadable(stat)) {
      return new long[] {0, 0};
    }
    try {
      String[] cpu = Files.readAllLines(stat).get(0).trim().split("\\s+", -1);
      long total = 0;
      for (int i = 1; i < cpu.length; i++) {
        total += Long.parseLong(cpu[i]);
      }
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]); // idle + iowait
      return new long[] {total - idle, total};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Busy cores on average since {@code before} (a {@link #read()}); NaN where unknown. */
  static double busyCoresSince(long[] before) {
    long[] now = read();
    long total = now[1] - before[1];
    return total == 0 ? Double.NaN : Runtime.getRuntime().availableProcessors() * (double) (now[0] - before[0]) / total;
  }
}
