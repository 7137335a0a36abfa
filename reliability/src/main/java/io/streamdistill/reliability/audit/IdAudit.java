package io.streamdistill.reliability.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exactly-once by id: every expected id must be seen once. An id never seen is lost, each extra
 * sighting is a duplicate, and ids nobody expected are counted apart (they point at a bug in the
 * audit's own traffic more than in the service).
 */
public final class IdAudit {
  private static final int EXAMPLES = 5;

  private IdAudit() {}

  /**
   * How the ids seen compare with those expected.
   *
   * @param lostExamples a few lost ids, for the report
   * @param duplicatedExamples a few duplicated ids, for the report
   */
  public record Report(long expected, long seen, long lost, long duplicated, long unexpected,
      List<String> lostExamples, List<String> duplicatedExamples) {
    public boolean clean() {
      return lost == 0 && duplicated == 0 && unexpected == 0;
    }
  }

  public static Report audit(Collection<String> expected, Iterable<String> observed) {
    Map<String, Integer> counts = new HashMap<>(expected.size() * 2);
    for (String id : expected) {
      counts.put(id, 0);
    }
    long seen = 0;
    long unexpected = 0;
    for (String id : observed) {
      seen++;
      Integer count = counts.get(id);
      if (count == null) {
        unexpected++;
      } else {
        counts.put(id, count + 1);
      }
    }
    long lost = 0;
    long duplicated = 0;
    List<String> lostExamples = new ArrayList<>();
    List<String> duplicatedExamples = new ArrayList<>();
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (entry.getValue() == 0) {
        lost++;
        if (lostExamples.size() < EXAMPLES) {
          lostExamples.add(entry.getKey());
        }
      } else if (entry.getValue() > 1) {
        duplicated += entry.getValue() - 1;
        if (duplicatedExamples.size() < EXAMPLES) {
          duplicatedExamples.add(entry.getKey() + " x" + entry.getValue());
        }
      }
    }
    return new Report(counts.size(), seen, lost, duplicated, unexpected, lostExamples, duplicatedExamples);
  }
}
