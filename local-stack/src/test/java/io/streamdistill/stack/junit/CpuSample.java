package io.streamdistill.stack.junit;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time used so far, for benchmarks that say where a record's cost goes: this JVM's whole process
 * (every thread, native ones included: PyTorch's, the garbage collector's, the compiler's), each of
 * its live Java threads by name, and other processes (the local broker) from {@code /proc/PID/stat}.
 * Take one before and one after; {@link #since} gives the differences. A thread that ended in between
 * is lost from the per-thread figures (not from the process's): take the second sample before the
 * threads of interest stop.
 */
public final class CpuSample {
  /** Linux's USER_HZ: {@code /proc} counts CPU time in ticks of 1/100 s on every architecture Java runs on. */
  private static final long NANOS_PER_TICK = 10_000_000L;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long processNanos;
  private final Map<Long, Long> otherProcessNanos = new HashMap<>();
  private final Map<Long, String> threadNames = new HashMap<>();
  private final Map<Long, Long> threadNanos = new HashMap<>();

  private CpuSample(long... otherPids) {
    this.processNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    for (long pid : otherPids) {
      otherProcessNanos.put(pid, processCpuNanos(pid));
    }
    for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null) {
        long nanos = THREADS.getThreadCpuTime(info.getThreadId());
        if (nanos >= 0) {
          threadNames.put(info.getThreadId(), info.getThreadName());
          threadNanos.put(info.getThreadId(), nanos);
        }
      }
    }
  }

  /** Now, with these other processes (such as {@code stack.broker().pid()}). */
  public static CpuSample take(long... otherPids) {
    return new CpuSample(otherPids);
  }

  /** What was used between {@code before} and this sample. */
  public Use since(CpuSample before) {
    return new Use(before, this);
  }

  /** CPU seconds used between two samples. */
  public static final class Use {
    private final CpuSample before;
    private final CpuSample after;

    private Use(CpuSample before, CpuSample after) {
      this.before = before;
      this.after = after;
    }

    /** This JVM, all its threads. */
    public double processSeconds() {
      return (after.processNanos - before.processNanos) / 1e9;
    }

    /** Another process sampled both times (NaN if it was not, or has no {@code /proc} entry). */
    public double processSeconds(long pid) {
      Long a = after.otherProcessNanos.get(pid);
      Long b = before.otherProcessNanos.get(pid);
      return a == null || b == null || a < 0 || b < 0 ? Double.NaN : (a - b) / 1e9;
    }

    /** The Java threads alive at the second sample whose names match (a thread born in between counts from 0). */
    public double threadSeconds(Predicate<String> name) {
      long nanos = 0;
      for (var entry : after.threadNanos.entrySet()) {
        if (name.test(after.threadNames.get(entry.getKey()))) {
          nanos += entry.getValue() - before.threadNanos.getOrDefault(entry.getKey(), 0L);
        }
      }
      return nanos / 1e9;
    }
  }

  /** utime + stime of a process, or -1 where /proc does not tell. */
  private static long processCpuNanos(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String line = Files.readString(stat);
      // Fields after the command name (which may hold spaces, inside parentheses): state is field 3,
      // utime field 14 and stime field 15.
      String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ", -1);
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
