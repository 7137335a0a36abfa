package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NgramFeaturizerTest {
  private final NgramFeaturizer featurizer = new NgramFeaturizer(NgramFeaturizer.Settings.defaults());

  @Test
  void shouldCountWordsWordPairsAndCharacterNgrams() {
    // "hi there": 2 words, 1 pair; "<hi>" has 2 trigrams and 1 four-gram, "<there>" 5 and 4.
    int[] features = featurizer.features("Hi, there!");
    assertEquals(2 + 1 + (2 + 1) + (5 + 4), features.length);
    for (int f : features) {
      assertTrue(f >= 0 && f < (1 << 16));
    }
  }

  @Test
  void shouldBeDeterministicAndIgnoreCaseAndPunctuation() {
    assertArrayEquals(featurizer.features("Cheap PILLS now"), featurizer.features("cheap -- pills... NOW"));
    assertArrayEquals(featurizer.features("cheap pills"), new NgramFeaturizer(NgramFeaturizer.Settings.defaults())
        .features("cheap pills"));
  }

  @Test
  void shouldKeepTheHashFunctionFixed() {
    // These buckets are part of every published text student: a change here breaks serving of old versions.
    int[] features = new NgramFeaturizer(new NgramFeaturizer.Settings(1 << 18, 2, 3, 3, true, 500)).features("ab cd");
    assertEquals(7, features.length, Arrays.toString(features));
    assertArrayEquals(new int[] {featureOf("w1", "ab"), featureOf("c3", "<ab"), featureOf("c3", "ab>"),
        featureOf("w1", "cd"), featureOf("w2", "ab cd"), featureOf("c3", "<cd"), featureOf("c3", "cd>")}, features);
  }

  @Test
  void shouldStopAtMaxTokens() {
    NgramFeaturizer twoTokens = new NgramFeaturizer(new NgramFeaturizer.Settings(1000, 1, 0, 0, true, 2));
    assertEquals(2, twoTokens.features("one two three four").length);
  }

  @Test
  void shouldGiveNoFeaturesForTextWithoutWordsAndRefuseMissingText() {
    assertEquals(0, featurizer.features("  ... !!! ").length);
    assertThrows(InputMismatchException.class, () -> featurizer.features(null));
  }

  @Test
  void shouldRefuseAnEmptyOrBlankText() {
    // As the teacher does: an empty text would get a near-uniform, meaningless label.
    for (String blank : new String[] {"", "   ", "\t\n "}) {
      var e = assertThrows(InputMismatchException.class, () -> featurizer.features(blank));
      assertTrue(e.getMessage().startsWith("empty text"), e.getMessage());
    }
  }

  /** FNV-1a 64 as the featurizer's Javadoc specifies it, written out independently. */
  private static int featureOf(String type, String ngram) {
    long h = 0xcbf29ce484222325L;
    for (char c : type.toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    for (char c : ngram.toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    return (int) Long.remainderUnsigned(h, 1 << 18);
  }
}
