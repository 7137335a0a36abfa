package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.edge.EdgeAnswer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the demo's figures count: an answer is judged by its request's label, and only then. */
class DemoRecorderTest {
  private static EdgeAnswer answer(String label, boolean teacherAsked) {
    return new EdgeAnswer(label, List.of("de", "fr"), List.of(0.5, 0.5), "demo", 1,
        teacherAsked ? EdgeAnswer.AnsweredBy.TEACHER : EdgeAnswer.AnsweredBy.STUDENT, teacherAsked, teacherAsked, null,
        0.5, 10);
  }

  @Test
  void shouldJudgeAnswersByTheirLabels() {
    DemoRecorder recorder = new DemoRecorder(System.nanoTime());
    recorder.answered(answer("fr", false), "fr", 0);
    recorder.answered(answer("de", false), "fr", 1);
    recorder.answered(answer("de", true), "de", 2);
    DemoReport report = recorder.report(DemoCommand.settingsOf());
    assertEquals(3, report.answered());
    assertEquals(2.0 / 3, report.edgeAccuracy(), 1e-9);
    assertEquals(0.5, report.studentAloneAccuracy(), 1e-9);
    assertEquals(1.0, report.teacherAnswerAccuracy(), 1e-9);
  }

  @Test
  void shouldSayNotApplicableRatherThanZeroWhenNoRequestHasALabel() {
    // A teacher given and a file without labels: the edge serves the requests, and nothing can be judged.
    DemoRecorder recorder = new DemoRecorder(System.nanoTime());
    recorder.answered(answer("fr", false), null, 0);
    recorder.answered(answer("de", true), null, 1);
    DemoReport report = recorder.report(DemoCommand.settingsOf());
    assertEquals(2, report.answered());
    assertTrue(Double.isNaN(report.edgeAccuracy()), "not 0%: " + report.edgeAccuracy());
    assertTrue(Double.isNaN(report.studentAloneAccuracy()), "" + report.studentAloneAccuracy());
    assertTrue(Double.isNaN(report.teacherAnswerAccuracy()), "" + report.teacherAnswerAccuracy());
    assertTrue(Double.isNaN(report.edgeTeacherAgreement()), "the teacher alone not scored yet");

    // What judges the cascade then: how often the edge answered as the teacher alone does.
    recorder.answered(answer("fr", false), null, 2);
    recorder.answered(answer("fr", false), null, 3);
    recorder.teacherAlone(new String[] {"fr", "fr", "de", "fr"}, new boolean[4], 0);
    DemoReport judged = recorder.report(DemoCommand.settingsOf());
    assertEquals(0.5, judged.edgeTeacherAgreement(), 1e-9, "fr=fr, de vs fr, fr vs de, fr=fr");
    assertEquals(2 / 3.0, judged.studentAloneTeacherAgreement(), 1e-9, "the student's lone answers: 0, 2, 3");
  }

  @Test
  void shouldSayHowTheRareClassFaresWhereAccuracyCannotTell() {
    // 95 normal readings and 5 anomalies; the edge finds 2 of the anomalies, the teacher alone 4.
    List<Example> examples = new ArrayList<>();
    boolean[] teacherRight = new boolean[100];
    DemoRecorder recorder = new DemoRecorder(System.nanoTime());
    for (int i = 0; i < 100; i++) {
      String truth = i < 5 ? "anomalous" : "normal";
      examples.add(new Example("r" + i, null, new float[] {i}, truth));
      recorder.answered(answer(i < 5 && i >= 2 ? "normal" : truth, false), truth, i);
      teacherRight[i] = i != 0;
    }
    String[] teacherLabels = new String[100];
    for (int i = 0; i < 100; i++) {
      teacherLabels[i] = teacherRight[i] ? examples.get(i).label() : "normal";
    }
    recorder.teacherAlone(teacherLabels, teacherRight, 0);
    assertEquals("The rarest class, anomalous, is 5.0% of the requests answered (5): the edge got 2 of them right"
        + " (40.0%), the teacher alone 4 (80.0%).", recorder.rareClassNote(examples));

    DemoRecorder balanced = new DemoRecorder(System.nanoTime());
    for (int i = 0; i < 100; i++) {
      String truth = i % 2 == 0 ? "de" : "fr";
      balanced.answered(answer(truth, false), truth, i);
    }
    assertNull(balanced.rareClassNote(examples), "no class under 10% of the requests");
  }
}
