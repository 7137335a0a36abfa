package io.streamdistill.teacher.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchAnswersTest {
  private static final List<TeacherInput> BATCH = List.of(TeacherInput.ofText("a"), TeacherInput.ofText("BOOM"),
      TeacherInput.ofText("c"));

  /** Answers (length, 0) per text; fails a call that holds "BOOM", or every call with {@code outage}. */
  private static final class Choosy implements TeacherPredictor {
    final List<Integer> callSizes = new ArrayList<>();
    final RuntimeException outage;

    Choosy(RuntimeException outage) {
      this.outage = outage;
    }

    @Override
    public List<Prediction> predict(List<TeacherInput> batch) {
      callSizes.add(batch.size());
      if (outage != null) {
        throw outage;
      }
      if (batch.stream().anyMatch(i -> i.text().equals("BOOM"))) {
        throw new TeacherException("refused: BOOM");
      }
      return batch.stream().map(i -> new Prediction(new float[] {i.text().length(), 0f}, null)).toList();
    }

    @Override
    public void close() {}
  }

  @Test
  void shouldAnswerInOneCallWhenTheTeacherTakesTheBatch() {
    Choosy teacher = new Choosy(null);
    BatchAnswers answers = BatchAnswers.ask(teacher, List.of(TeacherInput.ofText("a"), TeacherInput.ofText("bb")));
    assertTrue(answers.inOneCall());
    assertEquals(List.of(2), teacher.callSizes);
    assertEquals(0, answers.failed());
    assertArrayEquals(new float[] {2f, 0f}, answers.predictions().get(1).logits());
  }

  @Test
  void shouldAskEachInputAloneWhenTheBatchIsRefusedAndSayWhyTheRefusedOneFailed() {
    Choosy teacher = new Choosy(null);
    BatchAnswers answers = BatchAnswers.ask(teacher, BATCH);
    assertFalse(answers.inOneCall());
    assertEquals(List.of(3, 1, 1, 1), teacher.callSizes);
    assertEquals(1, answers.failed());
    assertNull(answers.predictions().get(1));
    assertEquals("refused: BOOM", answers.failures().get(1));
    assertNull(answers.failures().get(0));
    assertArrayEquals(new float[] {1f, 0f}, answers.predictions().get(2).logits());
  }

  @Test
  void shouldFailTheWholeBatchForAnOutage() {
    Choosy teacher = new Choosy(new TeacherUnavailableException("remote down"));
    assertThrows(TeacherUnavailableException.class, () -> BatchAnswers.ask(teacher, BATCH));
    assertEquals(List.of(3), teacher.callSizes, "no input asked alone: none is at fault");
  }
}
