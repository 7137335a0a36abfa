package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StudentSpecTest {
  @Test
  void shouldRoundTripBothKindsThroughJson() {
    for (StudentSpec spec : List.of(StudentFixtures.tinyMlp(), StudentFixtures.tinyNgram(),
        new MlpSpec(StudentFixtures.DIGITS, 784, List.of(800, 800)))) {
      assertEquals(spec, StudentSpec.fromJson(spec.toJson()));
    }
  }

  @Test
  void shouldKeepASpecFromBeforeTheCjkRuleAsItWasWritten() {
    // A version published before cjkCharacters existed: its spec names no such key, reads as the old rule, and
    // writes back the same (its architecture string is compared when a trainer resumes from it).
    String before = "{\"kind\":\"hashed-ngram\",\"classes\":[\"ham\",\"spam\"],\"embeddingDim\":16,\"featurizer\":"
        + "{\"buckets\":65536,\"wordNgrams\":2,\"charMin\":3,\"charMax\":4,\"lowercase\":true,\"maxTokens\":500}}";
    NgramSpec old = (NgramSpec) StudentSpec.fromJson(before);
    assertFalse(old.featurizer().cjkCharacters());
    assertEquals(before, old.toJson());
    NgramSpec now = new NgramSpec(List.of("ham", "spam"), NgramFeaturizer.Settings.defaults(), 16);
    assertTrue(now.toJson().contains("\"cjkCharacters\":true"), now.toJson());
    assertEquals(now, StudentSpec.fromJson(now.toJson()));
    assertMessage("'featurizer.cjkCharacters' must be true or false", now.toJson().replace("true}", "\"yes\"}"));
  }

  @Test
  void shouldNameTheParametersAndShapesOfHintonsStudent() {
    MlpSpec spec = new MlpSpec(StudentFixtures.DIGITS, 784, List.of(800, 800));
    assertEquals(
        List.of("dense0.weight", "dense0.bias", "dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias"),
        List.copyOf(spec.parameterShapes().keySet()));
    assertEquals(784 * 800 + 800 + 800 * 800 + 800 + 800 * 10 + 10, spec.parameterCount());
  }

  @Test
  void shouldNameTheBadFieldOfABadSpec() {
    assertMessage("unknown kind 'rnn'", "{\"kind\":\"rnn\",\"classes\":[\"a\",\"b\"]}");
    assertMessage("'filters' must be an array", "{\"kind\":\"cnn\",\"classes\":[\"a\",\"b\"]}");
    assertMessage("'inputSize' must be an integer", "{\"kind\":\"mlp\",\"classes\":[\"a\",\"b\"],\"hidden\":[]}");
    assertMessage("at least two classes", "{\"kind\":\"mlp\",\"classes\":[\"a\"],\"inputSize\":3,\"hidden\":[]}");
    assertMessage("not JSON", "{kind");
    assertMessage("'featurizer' must be an object",
        "{\"kind\":\"hashed-ngram\",\"classes\":[\"a\",\"b\"],\"embeddingDim\":4}");
  }

  private static void assertMessage(String expected, String json) {
    var e = assertThrows(IllegalArgumentException.class, () -> StudentSpec.fromJson(json));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
