package io.streamdistill.reliability.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LineageAuditTest {
  /** Two partitions of ten records each, offsets 0..9. */
  private static final Map<Integer, List<Long>> TEN_EACH = Map.of(0, offsets(0, 10), 1, offsets(0, 10));

  private static List<Long> offsets(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  private static LineageAudit.Version version(long number, Long parent, long p0, long p1, long samples) {
    return new LineageAudit.Version(number, parent, Map.of(0, p0, 1, p1), samples, 0);
  }

  @Test
  void shouldFindACleanLineageThatCoversEveryRecordOnce() {
    LineageAudit.Report report = LineageAudit.audit(List.of(version(1, null, 4, 3, 7), version(2, 1L, 10, 10, 13)),
        TEN_EACH);
    assertTrue(report.clean(), report.toString());
    assertEquals(20, report.records());
    assertEquals(20, report.covered());
    assertEquals(Map.of(0, 10L, 1, 10L), report.lastThrough());
  }

  @Test
  void shouldCountRecordsNoVersionCoversAsLost() {
    // v2 claims to start where v1 ended but v1's range was skipped by a restart at the wrong offsets: here the
    // tail past v2 is simply not reached.
    LineageAudit.Report report = LineageAudit.audit(List.of(version(1, null, 4, 3, 7), version(2, 1L, 8, 10, 11)),
        TEN_EACH);
    assertEquals(2, report.lost());
    assertEquals(0, report.duplicated());
  }

  @Test
  void shouldCountRecordsTwoVersionsCoverAsDuplicated() {
    // v2 names no parent, as a trainer that lost its resume point would: it learned from offset 0 again.
    LineageAudit.Report report = LineageAudit.audit(List.of(version(1, null, 4, 3, 7), version(2, null, 10, 10, 20)),
        TEN_EACH);
    assertEquals(0, report.lost());
    assertEquals(7, report.duplicated());
    assertTrue(report.problems().stream().anyMatch(p -> p.contains("names parent null")), report.problems().toString());
  }

  @Test
  void shouldReportNumbersThatDoNotGrowOneByOne() {
    LineageAudit.Report report = LineageAudit.audit(List.of(version(1, null, 4, 3, 7), version(3, 1L, 10, 10, 13)),
        TEN_EACH);
    assertTrue(report.problems().stream().anyMatch(p -> p.contains("numbered 3, not 2")), report.problems().toString());
  }

  @Test
  void shouldReportASampleCountThatIsNotItsRange() {
    LineageAudit.Report report = LineageAudit.audit(List.of(version(1, null, 10, 10, 19)), TEN_EACH);
    assertEquals(0, report.lost());
    assertTrue(report.problems().stream().anyMatch(p -> p.contains("counts 19 samples, its range holds 20")),
        report.problems().toString());
  }

  @Test
  void shouldSkipOffsetsThatHoldNoRecordSuchAsTransactionMarkers() {
    // Records at 0, 1, 3, 4 (a commit marker at 2, another at 5): a version through 6 covers all four.
    Map<Integer, List<Long>> withMarkers = Map.of(0, List.of(0L, 1L, 3L, 4L));
    LineageAudit.Report report = LineageAudit.audit(List.of(new LineageAudit.Version(1, null, Map.of(0, 6L), 4, 0)),
        withMarkers);
    assertTrue(report.clean(), report.toString());
  }

  @Test
  void shouldCountEverythingLostWithoutAnyVersion() {
    LineageAudit.Report report = LineageAudit.audit(List.of(), TEN_EACH);
    assertEquals(20, report.lost());
    assertEquals(Map.of(), report.lastThrough());
  }
}
