package io.streamdistill.reliability.audit;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Which bad records reached the dead-letter topic, and why. The campaign keys each bad record with its
 * kind and a number ({@code bad-input/nan-vector/17}); a dead letter carries the original key, so each
 * one is matched to the record it stands for.
 */
public final class DeadLetterAudit {
  private DeadLetterAudit() {}

  /**
   * What the audit found: per kind of bad record and per reason, then in total.
   *
   * @param byKind per kind of bad record: sent, dead-lettered (once or more) and one reason seen
   * @param byReason dead letters per reason, numbers in the reason replaced by N so that alike reasons group
   * @param missing bad records with no dead letter
   * @param duplicated extra dead letters for one record
   */
  public record Report(Map<String, KindCount> byKind, Map<String, Long> byReason, long sent, long deadLettered,
      long missing, long duplicated, List<String> missingExamples) {}

  /** One kind of bad record. */
  public record KindCount(long sent, long deadLettered, String reason) {}

  /**
   * Matches the dead letters to the bad records sent, by key.
   *
   * @param sent the keys of the bad records sent
   * @param letters the dead letters of the service under test
   * @param kindOfKey the kind a key belongs to
   */
  public static Report audit(Collection<String> sent, List<DeadLetter> letters, Function<String, String> kindOfKey) {
    Map<String, Integer> perKey = new HashMap<>();
    sent.forEach(key -> perKey.put(key, 0));
    Map<String, String> reasonOfKind = new HashMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    for (DeadLetter letter : letters) {
      byReason.merge(normalize(letter.getService() + ": " + letter.getReason()), 1L, Long::sum);
      String key = letter.getKey() == null ? null
          : new String(AvroValues.bytes(letter.getKey()), StandardCharsets.UTF_8);
      if (key != null && perKey.containsKey(key)) {
        perKey.merge(key, 1, Integer::sum);
        reasonOfKind.putIfAbsent(kindOfKey.apply(key), letter.getReason());
      }
    }
    Map<String, long[]> counts = new TreeMap<>();
    long dead = 0;
    long missing = 0;
    long duplicated = 0;
    List<String> missingExamples = new java.util.ArrayList<>();
    for (Map.Entry<String, Integer> entry : perKey.entrySet()) {
      long[] count = counts.computeIfAbsent(kindOfKey.apply(entry.getKey()), k -> new long[2]);
      count[0]++;
      if (entry.getValue() > 0) {
        count[1]++;
        dead++;
        duplicated += entry.getValue() - 1;
      } else {
        missing++;
        if (missingExamples.size() < 5) {
          missingExamples.add(entry.getKey());
        }
      }
    }
    Map<String, KindCount> byKind = new TreeMap<>();
    counts.forEach((kind, c) -> byKind.put(kind, new KindCount(c[0], c[1], reasonOfKind.get(kind))));
    return new Report(byKind, byReason, sent.size(), dead, missing, duplicated, missingExamples);
  }

  /**
   * A reason with its particulars blurred, so that "vector has NaN at index 17" and "... index 403" count
   * as one reason: hashes and key ids become {@code <hex>}, version numbers {@code vN}, other numbers
   * {@code N} (but not those inside names such as SHA-256 or f32-v1), and long reasons (a decoder's
   * message) are cut.
   */
  public static String normalize(String reason) {
    String blurred = reason.replaceAll("\\b[0-9a-f]{8,}\\b", "<hex>")
        .replaceAll("(?<![\\w-])v[0-9]+\\b", "vN")
        .replaceAll("(?<![\\w-])[0-9]+\\b", "N")
        .replaceAll("\\s+", " ").strip();
    return blurred.length() <= 110 ? blurred : blurred.substring(0, 107) + "...";
  }
}
