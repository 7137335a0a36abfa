package io.streamdistill.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The campaign's outcome: a table (case, trials, survived, lost, duplicated) with a line of notes per
 * case and every failed check, and the same with each case's details as JSON. Written as
 * {@code reliability.txt} and {@code reliability.json}.
 */
public record CampaignReport(String startedAt, double seconds, CampaignSettings settings, List<CaseResult> cases) {
  public static final String TABLE_FILE = "reliability.txt";
  public static final String JSON_FILE = "reliability.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public CampaignReport {
    cases = List.copyOf(cases);
  }

  /** Whether every case ran and passed (and at least one ran). */
  public boolean passed() {
    return !cases.isEmpty() && cases.stream().allMatch(CaseResult::passed);
  }

  public String table() {
    StringBuilder table = new StringBuilder();
    String row = "%-36s %8s %9s %7s %11s  %-6s %8s%n";
    table.append(String.format(Locale.ROOT, row, "case", "trials", "survived", "lost", "duplicated", "result",
        "seconds"));
    table.append("-".repeat(92)).append('\n');
    for (CaseResult c : cases) {
      table.append(String.format(Locale.ROOT, row, c.name(), String.format(Locale.ROOT, "%,d", c.trials()),
          String.format(Locale.ROOT, "%,d", c.survived()), String.format(Locale.ROOT, "%,d", c.lost()),
          String.format(Locale.ROOT, "%,d", c.duplicated()), c.passed() ? "PASS" : "FAIL",
          String.format(Locale.ROOT, "%.0f", c.seconds())));
    }
    table.append('\n');
    for (CaseResult c : cases) {
      table.append(c.name()).append(": ").append(c.notes()).append('\n');
      for (String failure : c.failures()) {
        table.append("  FAILED: ").append(failure).append('\n');
      }
    }
    table.append(String.format(Locale.ROOT, "%nCampaign %s in %.0f s (seed %d).%n", passed() ? "passed" : "FAILED",
        seconds, settings.seed()));
    return table.toString();
  }

  /** Writes the table and the JSON into {@code dir}. */
  public void write(Path dir) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("passed", passed());
    json.put("startedAt", startedAt);
    json.put("seconds", seconds);
    json.put("settings", Map.of("cases", settings.cases(), "kills", settings.trainerKills(),
        "teacherKills", settings.teacherKills(), "killWindowMillis", settings.killWindow().toMillis(),
        "badRecords", settings.badRecords(), "goodRecords", settings.goodRecords(),
        "tamperedVersions", settings.tamperedVersions(), "loadSeconds", settings.load().duration().toSeconds(),
        "seed", settings.seed()));
    json.put("cases", cases);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(TABLE_FILE), table(), StandardCharsets.UTF_8);
      JSON.writeValue(dir.resolve(JSON_FILE).toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the report to " + dir, e);
    }
  }
}
