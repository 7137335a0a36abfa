package io.streamdistill.reliability.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a load run into requests made around a version swap and the rest: a request is "during a swap"
 * when it started within half a window of a swap's moment (the edge's LOADED event), else "steady".
 * The first moments of the run (JIT compilation on both sides) count as neither. A swap must cost
 * requests nothing visible: no failure, and a p99 close to the steady one.
 */
public final class LatencyWindows {
  private LatencyWindows() {}

  /** Requests, failures and latency percentiles of a set of requests, in milliseconds. */
  public record Stats(long requests, long errors, double p50Millis, double p99Millis, double maxMillis) {
    static Stats of(long[] latenciesMicros, int n, long errors) {
      long[] sorted = Arrays.copyOf(latenciesMicros, n);
      Arrays.sort(sorted);
      return new Stats(n, errors, percentile(sorted, 0.50), percentile(sorted, 0.99),
          n == 0 ? Double.NaN : sorted[n - 1] / 1000.0);
    }
  }

  /**
   * A run's requests, all of them and cut into steady ones and those during swaps.
   *
   * @param swapsInRun the swaps that fell within the measured part of the run
   * @param p99PerSwap each such swap's own window p99, in milliseconds
   * @param swapsWithErrors swaps whose window had a failed request
   */
  public record Result(Stats all, Stats steady, Stats duringSwaps, int swapsInRun, List<Double> p99PerSwap,
      int swapsWithErrors) {
    /** p99 during swaps over steady p99. */
    public double p99Ratio() {
      return duringSwaps.p99Millis() / steady.p99Millis();
    }
  }

  /**
   * Cuts a load run's requests into those around a swap and the steady rest.
   *
   * @param swapEpochMillis the moments versions were swapped in (epoch milliseconds)
   * @param windowMillis the width of the window centred on each swap
   * @param warmupMillis requests in the first this many milliseconds of the run are left out
   */
  public static Result analyse(LoadSamples samples, List<Long> swapEpochMillis, long windowMillis, long warmupMillis) {
    int n = samples.size();
    long first = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      first = Math.min(first, samples.startMicros(i));
    }
    long measuredFrom = first + warmupMillis * 1_000;
    long half = windowMillis * 1_000 / 2;
    long[] swaps = swapEpochMillis.stream().mapToLong(ms -> ms * 1_000).sorted().toArray();
    long[] all = new long[n];
    long[] steady = new long[n];
    long[] during = new long[n];
    int allCount = 0;
    int steadyCount = 0;
    int duringCount = 0;
    long allErrors = 0;
    long steadyErrors = 0;
    long duringErrors = 0;
    List<List<Long>> perSwap = new ArrayList<>();
    long[] errorsPerSwap = new long[swaps.length];
    for (int s = 0; s < swaps.length; s++) {
      perSwap.add(new ArrayList<>());
    }
    long last = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long start = samples.startMicros(i);
      last = Math.max(last, start);
      if (start < measuredFrom) {
        continue;
      }
      boolean failed = samples.failed(i);
      long latency = samples.latencyMicros(i);
      all[allCount++] = latency;
      allErrors += failed ? 1 : 0;
      int swap = nearestSwap(swaps, start, half);
      if (swap >= 0) {
        during[duringCount++] = latency;
        duringErrors += failed ? 1 : 0;
        perSwap.get(swap).add(latency);
        errorsPerSwap[swap] += failed ? 1 : 0;
      } else {
        steady[steadyCount++] = latency;
        steadyErrors += failed ? 1 : 0;
      }
    }
    List<Double> p99PerSwap = new ArrayList<>();
    int swapsInRun = 0;
    int swapsWithErrors = 0;
    for (int s = 0; s < swaps.length; s++) {
      swapsWithErrors += errorsPerSwap[s] > 0 ? 1 : 0;
      if (swaps[s] >= measuredFrom && swaps[s] <= last) {
        swapsInRun++;
        long[] window = perSwap.get(s).stream().mapToLong(Long::longValue).sorted().toArray();
        p99PerSwap.add(percentile(window, 0.99));
      }
    }
    return new Result(Stats.of(all, allCount, allErrors), Stats.of(steady, steadyCount, steadyErrors),
        Stats.of(during, duringCount, duringErrors), swapsInRun, p99PerSwap, swapsWithErrors);
  }

  /** The index of a swap within {@code half} of {@code start}, or -1. */
  private static int nearestSwap(long[] swaps, long start, long half) {
    int i = Arrays.binarySearch(swaps, start);
    int insertion = i >= 0 ? i : -i - 1;
    for (int k = Math.max(0, insertion - 1); k <= Math.min(swaps.length - 1, insertion); k++) {
      if (start >= swaps[k] - half && start < swaps[k] + half) {
        return k;
      }
    }
    return -1;
  }

  /** The nearest-rank percentile of sorted microseconds, in milliseconds; NaN when empty. */
  static double percentile(long[] sortedMicros, double q) {
    if (sortedMicros.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sortedMicros.length);
    return sortedMicros[Math.max(0, rank - 1)] / 1000.0;
  }
}
