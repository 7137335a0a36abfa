package io.streamdistill.reliability.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IdAuditTest {
  @Test
  void shouldBeCleanWhenEveryIdIsSeenOnce() {
    IdAudit.Report report = IdAudit.audit(List.of("a", "b", "c"), List.of("c", "a", "b"));
    assertTrue(report.clean(), report.toString());
    assertEquals(3, report.seen());
  }

  @Test
  void shouldCountLostDuplicatedAndUnexpectedIds() {
    IdAudit.Report report = IdAudit.audit(List.of("a", "b", "c"), List.of("a", "a", "a", "b", "x"));
    assertEquals(1, report.lost());
    assertEquals(List.of("c"), report.lostExamples());
    assertEquals(2, report.duplicated());
    assertEquals(List.of("a x3"), report.duplicatedExamples());
    assertEquals(1, report.unexpected());
  }
}
