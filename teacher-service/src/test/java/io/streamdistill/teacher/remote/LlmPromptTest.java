package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.student.Softmax;
import io.streamdistill.teacher.model.TeacherInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an LLM's answer tokens become a class distribution ({@link LlmPrompt}), without a server. */
class LlmPromptTest {
  private static final LlmPrompt SPAM = new LlmPrompt(List.of("ham", "spam"), LlmPrompt.DEFAULT_INSTRUCTIONS,
      LlmPrompt.Answers.NAMES, 20);

  @Test
  void shouldChooseLettersOnlyWhenTwoNamesStartAlike() {
    assertEquals(LlmPrompt.Answers.NAMES, LlmPrompt.answersFor(List.of("ham", "spam")));
    assertEquals(LlmPrompt.Answers.NAMES, LlmPrompt.answersFor(List.of("sports", "politics", "tech", "business")));
    assertEquals(LlmPrompt.Answers.LETTERS, LlmPrompt.answersFor(List.of("positive", "negative", "positive_strong")),
        "one name the start of another");
    assertEquals(LlmPrompt.Answers.NAMES, LlmPrompt.answersFor(List.of("0", "1")), "digits are names too");
    assertEquals(LlmPrompt.Answers.LETTERS, LlmPrompt.answersFor(List.of("Sci/Tech", "Science")));
  }

  @Test
  void shouldMatchATokenToTheOneClassItNamesOrStartsAndNoneWhenItStartsTwo() {
    LlmPrompt prompt = new LlmPrompt(List.of("sports", "spam", "world"), "{classes}", LlmPrompt.Answers.NAMES, 20);
    assertEquals(0, prompt.classOf(" Sports"));
    assertEquals(1, prompt.classOf("**spam**"));
    assertEquals(2, prompt.classOf("wor"), "the start of one name");
    assertEquals(-1, prompt.classOf("sp"), "the start of two names says nothing of which");
    assertEquals(-1, prompt.classOf("spammy"));
    assertEquals(-1, prompt.classOf("\n"));
  }

  @Test
  void shouldGiveAClassNoTokenNamesAtMostTheLeastListedProbability() {
    Map<String, Double> top = new LinkedHashMap<>();
    top.put("spam", Math.log(0.90));
    top.put("Sp", Math.log(0.02)); // the start of spam alone
    top.put("The", Math.log(0.01));
    float[] p = Softmax.probabilities(SPAM.distribution(List.of("spam"), List.of(top)), 1f);
    // ham: not listed; the 0.07 left over would be more than the least listed token (0.01), so it gets 0.01.
    assertArrayEquals(new float[] {0.01f / 0.93f, 0.92f / 0.93f}, p, 1e-5f);

    Map<String, Double> full = new LinkedHashMap<>();
    full.put("spam", Math.log(0.5));
    full.put("ham", Math.log(0.499999));
    float[] nearHalf = Softmax.probabilities(SPAM.distribution(List.of(" ", "spam"), List.of(Map.of(" ", 0.0),
        full)), 1f);
    assertEquals(0.5f, nearHalf[1], 1e-5f, "a blank first token passed over");
  }

  @Test
  void shouldReadAnAnswersTextAsItsClassAtTheConfidenceGiven() {
    assertArrayEquals(new float[] {0.1f, 0.9f}, Softmax.probabilities(SPAM.fromText("Spam.", 0.9), 1f), 1e-5f);
    assertArrayEquals(new float[] {0.9f, 0.1f}, Softmax.probabilities(SPAM.fromText("**ham** (it is)", 0.9), 1f),
        1e-5f);
    IllegalArgumentException hamster = assertThrows(IllegalArgumentException.class,
        () -> SPAM.fromText("hamster", 0.9));
    assertTrue(hamster.getMessage().contains("'hamster', not one of the classes [ham, spam]"), hamster.getMessage());
  }

  @Test
  void shouldCutLongTextsAndRefuseVectors() {
    assertEquals("x".repeat(20) + " ...", SPAM.user(TeacherInput.ofText("x".repeat(50))));
    assertThrows(IllegalArgumentException.class, () -> SPAM.user(TeacherInput.ofVector(new float[] {1f})));
    assertTrue(SPAM.system().contains("- ham\n- spam"), SPAM.system());
  }
}
