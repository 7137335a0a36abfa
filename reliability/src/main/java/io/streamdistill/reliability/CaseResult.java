package io.streamdistill.reliability;

import java.util.List;
import java.util.Map;

/**
 * What one case of the campaign found: a row of the table, and the details behind it for the JSON.
 *
 * @param trials the disruptions inflicted (kills, restarts, tampered versions, swaps), or what the case counts
 *     as one (see {@link #notes})
 * @param survived of those, the ones the system came through as it must
 * @param lost records (or requests) that should have been processed and were not
 * @param duplicated records processed more than once
 * @param passed whether every check of the case held
 * @param notes one line: what the counts mean for this case and the figures that matter
 * @param failures each check that did not hold, in words; empty when passed
 * @param details everything measured, for the JSON report
 */
public record CaseResult(String name, long trials, long survived, long lost, long duplicated, boolean passed,
    String notes, List<String> failures, Map<String, Object> details, double seconds) {

  public CaseResult {
    failures = List.copyOf(failures);
    details = Map.copyOf(details);
  }

  /** A case that could not run to its audit: it failed, with the reason. */
  public static CaseResult crashed(String name, Throwable error, double seconds) {
    String message = error.getClass().getSimpleName() + ": " + error.getMessage();
    return new CaseResult(name, 0, 0, 0, 0, false, "did not complete", List.of(message), Map.of(), seconds);
  }
}
