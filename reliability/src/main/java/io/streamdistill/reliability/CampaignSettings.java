package io.streamdistill.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a campaign runs and how hard. Validated here, so that a bad value fails before a broker starts,
 * with the option's name.
 *
 * @param cases the case names to run, in the campaign's order
 * @param trainerKills SIGKILLs of the trainer ({@code --kills})
 * @param teacherKills SIGKILLs of the teacher service; the broker restart comes on top
 * @param killWindow a kill comes at a random moment up to this long after the process began to work
 * @param badRecords bad records of each stage: this many bad input events and this many bad soft labels
 * @param goodRecords good input events interleaved with the bad ones
 * @param tamperedVersions tampered student versions sent to the edge node
 * @param standbyReplicas the teacher instances' {@code num.standby.replicas} in the scale-out case ({@code
 *     --standby-replicas}): warm copies of each task's store on other instances, so that a task that moves
 *     need not restore its store from the changelog first
 * @param load how the edge is loaded during swaps
 * @param seed seeds every random choice (kill moments, bad records, order), so that a run can be repeated
 * @param out where the table and the JSON go; service logs go to {@code out/logs}
 */
public record CampaignSettings(List<String> cases, int trainerKills, int teacherKills, Duration killWindow,
    int badRecords, int goodRecords, int tamperedVersions, int standbyReplicas, Load load, long seed, Path out) {

  /**
   * The load put on the edge while good versions are swapped in.
   *
   * @param duration how long the load is measured
   * @param threads its client threads (one kept-alive connection each)
   * @param requestsPerSecond the rate over all threads; 0 for as fast as the threads go
   * @param swapEvery a new good version is published this often while the load runs
   * @param window the window around each swap whose requests count as "during a swap"
   * @param warmup the load runs this long before it is measured (JIT compilation on both sides, the first
   *     swaps' cold code): those requests are left out of both figures
   */
  public record Load(Duration duration, int threads, double requestsPerSecond, Duration swapEvery, Duration window,
      Duration warmup) {
    public Load {
      positive(duration, "--load-seconds");
      positive(swapEvery, "--swap-every");
      positive(window, "--swap-window");
      if (threads < 1) {
        throw new IllegalArgumentException("--load-threads must be at least 1, got " + threads);
      }
      if (requestsPerSecond < 0) {
        throw new IllegalArgumentException("--load-rate must be 0 (unlimited) or more, got " + requestsPerSecond);
      }
      if (warmup == null || warmup.isNegative()) {
        throw new IllegalArgumentException("--load-warmup must not be negative, got " + warmup);
      }
      if (swapEvery.compareTo(window) <= 0) {
        throw new IllegalArgumentException("--swap-every (" + swapEvery + ") must be longer than --swap-window ("
            + window + "), or no request would count as steady");
      }
    }
  }

  public CampaignSettings {
    cases = List.copyOf(cases);
    if (cases.isEmpty()) {
      throw new IllegalArgumentException("--cases names no case");
    }
    if (trainerKills < 1) {
      throw new IllegalArgumentException("--kills must be at least 1, got " + trainerKills);
    }
    if (teacherKills < 1) {
      throw new IllegalArgumentException("--teacher-kills must be at least 1, got " + teacherKills);
    }
    positive(killWindow, "--kill-window");
    if (badRecords < 1 || goodRecords < 1) {
      throw new IllegalArgumentException("--bad-records and --good-records must be at least 1");
    }
    if (tamperedVersions < 1) {
      throw new IllegalArgumentException("--tampered must be at least 1, got " + tamperedVersions);
    }
    if (standbyReplicas < 0 || standbyReplicas > 2) {
      throw new IllegalArgumentException("--standby-replicas must be 0, 1 or 2 (the case runs at most three"
          + " instances), got " + standbyReplicas);
    }
  }

  private static void positive(Duration duration, String option) {
    if (duration == null || duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(option + " must be positive, got " + duration);
    }
  }
}
