package io.streamdistill.reliability.audit;

import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.StudentModelVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a model line's lineage against the soft labels it was trained from: each version says it
 * learned the records between its parent's trainedThrough offsets and its own; together the versions
 * must cover every record on the topic exactly once (no gap, no overlap), their numbers must grow
 * 1, 2, 3..., each parent must be the version before, and each version's sample count must equal the
 * records in its range.
 *
 * <p>A record no version covers is lost (a crash skipped it, or the line never reached the tail); a
 * record covered by two versions is duplicated (a crash made the trainer learn it again into the
 * lineage).
 */
public final class LineageAudit {
  private LineageAudit() {}

  /** What the audit needs of a version. */
  public record Version(long number, Long parent, Map<Integer, Long> through, long samplesConsumed,
      long samplesDead) {
    public Version {
      through = Map.copyOf(through);
    }

    /** The version's lineage on {@code topic} (positions on other topics are not this line's input). */
    public static Version of(StudentModelVersion version, String topic) {
      Map<Integer, Long> through = new TreeMap<>();
      for (InputPosition p : version.getLineage().getTrainedThrough()) {
        if (p.getTopic().equals(topic)) {
          through.put(p.getPartition(), p.getOffset());
        }
      }
      Map<String, Double> metrics = version.getMetrics();
      return new Version(version.getVersion(), version.getLineage().getParentVersion(), through,
          metrics.getOrDefault("samples.consumed", -1.0).longValue(),
          metrics.getOrDefault("samples.dead", 0.0).longValue());
    }
  }

  /**
   * What the audit found, with every check that failed.
   *
   * @param records committed records on the topic
   * @param covered records covered by at least one version
   * @param lost records covered by none
   * @param duplicated extra coverings (a record covered twice counts one)
   * @param samplesConsumed the sum of the versions' sample counts
   * @param samplesDead the sum of the versions' dead-letter counts
   * @param lastThrough the newest version's offsets (empty without versions)
   * @param problems every check that failed, in words
   */
  public record Report(int versions, long records, long covered, long lost, long duplicated, long samplesConsumed,
      long samplesDead, Map<Integer, Long> lastThrough, List<String> problems) {
    public boolean clean() {
      return lost == 0 && duplicated == 0 && problems.isEmpty();
    }
  }

  /**
   * Audits a model line's versions against the committed records of the topic they learned from.
   *
   * @param versions in the order they were published (topic order)
   * @param offsets per partition, the offsets of the committed records, ascending
   */
  public static Report audit(List<Version> versions, Map<Integer, List<Long>> offsets) {
    List<String> problems = new ArrayList<>();
    Map<Long, Version> byNumber = new HashMap<>();
    TreeSet<Integer> partitions = new TreeSet<>(offsets.keySet());
    versions.forEach(v -> partitions.addAll(v.through().keySet()));
    Map<Integer, long[]> sorted = new HashMap<>();
    Map<Integer, int[]> coverage = new HashMap<>();
    for (int p : partitions) {
      long[] o = offsets.getOrDefault(p, List.of()).stream().mapToLong(Long::longValue).sorted().toArray();
      sorted.put(p, o);
      // A difference array: +1 where a range starts, -1 after it ends.
      coverage.put(p, new int[o.length + 1]);
    }
    long samples = 0;
    long dead = 0;
    for (int i = 0; i < versions.size(); i++) {
      Version v = versions.get(i);
      samples += v.samplesConsumed();
      dead += v.samplesDead();
      if (v.number() != i + 1) {
        problems.add("the " + ordinal(i + 1) + " version is numbered " + v.number() + ", not " + (i + 1));
      }
      Long expectedParent = i == 0 ? null : versions.get(i - 1).number();
      if (!java.util.Objects.equals(v.parent(), expectedParent)) {
        problems.add("v" + v.number() + " names parent " + v.parent() + ", the version before it is " + expectedParent);
      }
      Version parent = v.parent() == null ? null : byNumber.get(v.parent());
      if (v.parent() != null && parent == null) {
        problems.add("v" + v.number() + " names parent v" + v.parent() + ", which is not on the topic before it");
      }
      long inRange = 0;
      for (int p : partitions) {
        long from = parent == null ? 0 : parent.through().getOrDefault(p, 0L);
        long to = v.through().getOrDefault(p, from);
        if (to < from) {
          problems.add("v" + v.number() + " went back on partition " + p + ": from " + from + " to " + to);
          continue;
        }
        long[] o = sorted.get(p);
        int start = lowerBound(o, from);
        int end = lowerBound(o, to);
        coverage.get(p)[start]++;
        coverage.get(p)[end]--;
        inRange += end - start;
      }
      if (v.samplesConsumed() != inRange) {
        problems.add("v" + v.number() + " counts " + v.samplesConsumed() + " samples, its range holds " + inRange
            + " records");
      }
      byNumber.put(v.number(), v);
    }
    long records = 0;
    long covered = 0;
    long lost = 0;
    long duplicated = 0;
    for (int p : partitions) {
      int[] diff = coverage.get(p);
      int running = 0;
      for (int k = 0; k < sorted.get(p).length; k++) {
        running += diff[k];
        records++;
        if (running == 0) {
          lost++;
        } else {
          covered++;
          duplicated += running - 1;
        }
      }
    }
    Map<Integer, Long> last = versions.isEmpty() ? Map.of() : versions.get(versions.size() - 1).through();
    return new Report(versions.size(), records, covered, lost, duplicated, samples, dead, last, problems);
  }

  private static int lowerBound(long[] sorted, long value) {
    int i = Arrays.binarySearch(sorted, value);
    if (i < 0) {
      return -i - 1;
    }
    while (i > 0 && sorted[i - 1] == value) {
      i--;
    }
    return i;
  }

  private static String ordinal(int n) {
    return n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    });
  }
}
