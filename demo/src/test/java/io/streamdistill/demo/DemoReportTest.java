package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {
  private static DemoReport.Row row(double seconds, long answered, long alone, double accuracy) {
    return new DemoReport.Row(seconds, 0, 0, 0, 0, 1, 1, Double.NaN, Double.NaN, Double.NaN, answered, alone,
        answered - alone, accuracy);
  }

  private static DemoReport report(List<DemoReport.Row> timeline) {
    return report(timeline, DemoReport.Problems.NONE);
  }

  private static DemoReport report(List<DemoReport.Row> timeline, DemoReport.Problems problems) {
    DemoReport.Row last = timeline.isEmpty() ? row(0, 0, 0, Double.NaN) : timeline.get(timeline.size() - 1);
    return new DemoReport("test", "t", 0.99, 100, last.seconds(), 100, timeline, List.of(), 0, 0, last.answered(),
        last.studentAlone(), last.teacherAsked(), 0, 0, 0, last.edgeAccuracy(), DemoReport.Latency.of(new long[0]),
        DemoReport.Latency.of(new long[0]), Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        problems);
  }

  @Test
  void shouldScoreTheEndOfTheRunWithoutItsBeginning() {
    // 300 requests: the first 150 half alone at 80% right, the last 150 all alone and all right.
    DemoReport r = report(List.of(row(1, 50, 25, 0.8), row(2, 150, 75, 0.8), row(3, 200, 125, 0.85),
        row(4, 300, 225, 0.9)));
    double[] ending = r.ending(0.5);
    assertEquals(150, ending[0]);
    assertEquals(1.0, ending[1], 1e-9);
    assertEquals(1.0, ending[2], 1e-9);
    double[] all = r.ending(1.0);
    assertEquals(300, all[0]);
    assertEquals(0.75, all[1], 1e-9);
    assertEquals(0.9, all[2], 1e-9);
  }

  @Test
  void shouldScoreTheTeacherAloneOnTheSameRequests() {
    DemoReport r = report(List.of(row(1, 50, 25, 0.8), row(2, 150, 75, 0.8), row(3, 200, 125, 0.85),
        row(4, 300, 225, 0.9)));
    // The teacher's accuracy on the last n requests: 0.99 on all 300, 0.97 on the last 150 (the ending's).
    DemoReport scored = r.withTeacherOnTheSameRequests(n -> n == 300 ? 0.99 : n == 150 ? 0.97 : Double.NaN);
    assertEquals(0.99, scored.teacherAloneAccuracy());
    assertEquals(0.97, report(List.of(row(1, 100, 0, 1), row(2, 200, 50, 1), row(3, 300, 100, 1)))
        .withTeacherOnTheSameRequests(n -> n == 100 ? 0.97 : Double.NaN).teacherAloneEndingAccuracy());
  }

  @Test
  void shouldNameEachProblemWithItsReasonInTheReportAndSayNothingWithoutOne(@TempDir Path dir) throws Exception {
    DemoReport.Problems problems = new DemoReport.Problems(12, "teacher t failed on this input: HTTP 500: <boom>",
        0, "", 31, "remote teacher t at http://x failing (circuit breaker OPEN), last: HTTP 503", 2);
    List<String> lines = problems.lines();
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("12 input events went to the dead letters"), lines.get(0));
    assertTrue(lines.get(0).endsWith("the first because: teacher t failed on this input: HTTP 500: <boom>"));
    assertTrue(lines.get(1).contains("about 31 s") && lines.get(1).endsWith("last: HTTP 503"), lines.get(1));
    assertTrue(lines.get(2).contains("refused 2 of the request examples"), lines.get(2));

    report(List.of(row(1, 10, 5, 1)), problems).write(dir);
    String html = Files.readString(dir.resolve("index.html"));
    assertTrue(html.contains("<h2>Problems</h2>") && html.contains("HTTP 500: &lt;boom&gt;"), html);
    assertTrue(Files.readString(dir.resolve("report.json")).contains("\"inputsDeadLettered\" : 12"));

    assertFalse(DemoReport.Problems.NONE.any());
    assertEquals(List.of(), DemoReport.Problems.NONE.lines());
    report(List.of(row(1, 10, 5, 1))).write(dir);
    assertFalse(Files.readString(dir.resolve("index.html")).contains("Problems"));
  }

  @Test
  void shouldCountTheRequestsAnsweredAfterTheTimelinesLastRow() {
    // The last row was taken before any answer; by the end 22 were answered, 11 alone, 20 right.
    DemoReport r = new DemoReport("test", "t", 0.99, 100, 3, 100, List.of(row(1, 0, 0, Double.NaN),
        row(2, 0, 0, Double.NaN)), List.of(), 0, 0, 22, 11, 11, 0, 0, 0, 20 / 22.0, DemoReport.Latency.of(new long[0]),
        DemoReport.Latency.of(new long[0]), Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        DemoReport.Problems.NONE);
    double[] ending = r.ending(1 / 3.0);
    assertEquals(22, ending[0], "no row between: the whole run is its ending");
    assertEquals(0.5, ending[1], 1e-9);
    assertEquals(20 / 22.0, ending[2], 1e-9);
  }

  @Test
  void shouldSayNothingWithoutRequests() {
    double[] none = report(List.of()).ending(1 / 3.0);
    assertEquals(0, none[0]);
    assertTrue(Double.isNaN(none[1]) && Double.isNaN(none[2]));
    assertArrayEquals(new double[] {0, Double.NaN, Double.NaN}, report(List.of(row(1, 0, 0, Double.NaN))).ending(0.5));
  }
}
