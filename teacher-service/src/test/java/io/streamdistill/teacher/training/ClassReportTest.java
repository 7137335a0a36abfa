package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test figures train-teacher prints, and its warning for a teacher that learned nothing. */
class ClassReportTest {
  private static final List<String> CLASSES = List.of("a", "b", "c");

  @Test
  void shouldCountPrecisionAndRecallPerClass() {
    ClassReport report = ClassReport.of(CLASSES, new int[] {0, 0, 1, 2}, new int[] {0, 1, 1, 2});
    assertEquals(0.75, report.accuracy(), 1e-12);
    assertEquals(1, report.errors());
    assertEquals(0.5, report.recall(0), 1e-12);
    assertEquals(0.5, report.precision(1), 1e-12);
    assertNull(report.uselessWarning(), "3 of 4 right beats answering 'a' (2 of 4)");
  }

  @Test
  void shouldWarnWhenTheTeacherDoesNoBetterThanTheMostCommonClass() {
    // 6 of 10 are 'b'; a teacher right 5 times in 10 is worse than answering 'b' every time.
    int[] actual = {1, 1, 1, 1, 1, 1, 0, 0, 2, 2};
    int[] predicted = {1, 1, 1, 1, 1, 0, 1, 1, 0, 2};
    ClassReport report = ClassReport.of(CLASSES, actual, predicted);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("warning: this teacher is no better than always answering 'b' (60.00% of the test"
        + " examples)"), printed);
  }
}
