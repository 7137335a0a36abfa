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
  void shouldReadEachChineseOrJapaneseCharacterAsAWord() {
    // Chinese puts no space between words: a run of ideographs is a sentence. One a token, the words and word pairs
    // are the character unigrams and bigrams, as if the characters were spaced.
    NgramFeaturizer cjk = new NgramFeaturizer(NgramFeaturizer.Settings.defaults());
    assertTrue(NgramFeaturizer.Settings.defaults().cjkCharacters());
    assertArrayEquals(cjk.features("今 天 天 气 很 好"), cjk.features("今天天气很好。"));
    assertArrayEquals(cjk.features("iphone 手 机 の カ メ ラ"), cjk.features("iPhone手机のカメラ"));
    // 6 words, 5 pairs, and each "<字>" one trigram: 17.
    assertEquals(6 + 5 + 6, cjk.features("今天天气很好").length);
    // Korean separates its words by spaces: a Hangul run stays one word.
    assertArrayEquals(cjk.features("안녕하세요 세계"), cjk.features("안녕하세요, 세계"));
    assertEquals(1 + (5 + 4), cjk.features("안녕하세요").length);
    // Without the rule (versions and teachers made before it): the run is one word, as it was.
    NgramFeaturizer before = new NgramFeaturizer(NgramFeaturizer.Settings.defaults().withCjkCharacters(false));
    assertEquals(1 + (6 + 5), before.features("今天天气很好").length);
    assertArrayEquals(before.features("cheap pills"), cjk.features("cheap pills"));
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

  @Test
  void shouldGiveWhatTheRulesSayOnRandomTextsForEverySetting() {
    // The rules of the class Javadoc, written out plainly below with strings, against the fast featurizer.
    java.util.Random random = new java.util.Random(11);
    // Texts of Latin-1 characters alone (lower-cased one by one) and texts with others too (through
    // String.toLowerCase: İ lower-cases to two units, Σ by its neighbours).
    String latin1 = "abcdefghij KLMNOP 0123 ,.!?\n\t-\u00e9\u00c9\u00df\u00ff\u00c0";
    // ... and Chinese, Japanese kana (full- and half-width) and Korean, for the CJK rule.
    String others = latin1 + "\u03a9\u03a3\u0130\u6f22\ud83d\ude00\u4e2d\u6587\u3042\u30a2\u30fc\uff71\uac00\u3400";
    NgramFeaturizer.Settings[] settings = {NgramFeaturizer.Settings.defaults(),
        NgramFeaturizer.Settings.defaults().withCjkCharacters(false),
        new NgramFeaturizer.Settings(1000, 3, 2, 5, false, 50), new NgramFeaturizer.Settings(4096, 1, 0, 0, true, 10),
        new NgramFeaturizer.Settings(97, 4, 1, 1, true, 3)};
    for (NgramFeaturizer.Settings s : settings) {
      NgramFeaturizer fast = new NgramFeaturizer(s);
      for (int i = 0; i < 500; i++) {
        StringBuilder text = new StringBuilder("x");
        String alphabet = i % 2 == 0 ? latin1 : others;
        for (int k = random.nextInt(i % 50 == 0 ? 3000 : 120); k > 0; k--) {
          text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        assertArrayEquals(plainFeatures(text.toString(), s), fast.features(text.toString()), s + ": " + text);
      }
    }
  }

  @Test
  void shouldKeepNoHugeBufferAfterAHugeText() {
    String huge = "w".repeat(300_000); // one token: about 600,000 character n-grams
    NgramFeaturizer.Buckets first = featurizer.bucketsOf(huge);
    assertEquals(featurizer.features(huge).length, first.count());
    assertTrue(first.ids().length > NgramFeaturizer.Buckets.KEEP, "the huge text's ids needed a large buffer");
    NgramFeaturizer.Buckets next = featurizer.bucketsOf("a short text");
    assertTrue(next.ids().length <= NgramFeaturizer.Buckets.KEEP, "kept " + next.ids().length + " ids");
    assertArrayEquals(featurizer.features("a short text"), Arrays.copyOf(next.ids(), next.count()));
  }

  /** The featurizer's rules with strings and lists: slow, and obviously what the Javadoc says. */
  private static int[] plainFeatures(String text, NgramFeaturizer.Settings s) {
    String t = s.lowercase() ? text.toLowerCase(java.util.Locale.ROOT) : text;
    java.util.List<String> tokens = new java.util.ArrayList<>();
    StringBuilder token = new StringBuilder();
    for (int i = 0; i <= t.length() && tokens.size() < s.maxTokens(); i++) {
      boolean letter = i < t.length() && Character.isLetterOrDigit(t.charAt(i));
      if (letter && s.cjkCharacters() && cjk(t.charAt(i))) {
        if (token.length() > 0) {
          tokens.add(token.toString());
          token.setLength(0);
        }
        if (tokens.size() < s.maxTokens()) {
          tokens.add(String.valueOf(t.charAt(i)));
        }
      } else if (letter) {
        token.append(t.charAt(i));
      } else if (token.length() > 0) {
        tokens.add(token.toString());
        token.setLength(0);
      }
    }
    java.util.List<Integer> out = new java.util.ArrayList<>();
    for (int k = 0; k < tokens.size(); k++) {
      out.add(bucketOf("w1", tokens.get(k), s.buckets()));
      for (int n = 2; n <= s.wordNgrams() && k - n + 1 >= 0; n++) {
        out.add(bucketOf("w" + n, String.join(" ", tokens.subList(k - n + 1, k + 1)), s.buckets()));
      }
      String padded = "<" + tokens.get(k) + ">";
      for (int n = s.charMin(); n >= 1 && n <= s.charMax(); n++) {
        for (int from = 0; from + n <= padded.length(); from++) {
          out.add(bucketOf("c" + n, padded.substring(from, from + n), s.buckets()));
        }
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The Javadoc's CJK characters: Hiragana and Katakana, their extensions, the Han blocks, half-width kana. */
  private static boolean cjk(char c) {
    return (c >= '\u3040' && c <= '\u30ff') || (c >= '\u31f0' && c <= '\u31ff') || (c >= '\u3400' && c <= '\u4dbf')
        || (c >= '\u4e00' && c <= '\u9fff') || (c >= '\uf900' && c <= '\ufaff') || (c >= '\uff66' && c <= '\uff9f');
  }

  private static int bucketOf(String type, String ngram, int buckets) {
    long h = 0xcbf29ce484222325L;
    for (char c : (type + ngram).toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    return (int) Long.remainderUnsigned(h, buckets);
  }

  /** FNV-1a 64 as the featurizer's Javadoc specifies it, written out independently. */
  private static int featureOf(String type, String ngram) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < type.length(); i++) {
      h = (h ^ type.charAt(i)) * 0x100000001b3L;
    }
    for (int i = 0; i < ngram.length(); i++) {
      h = (h ^ ngram.charAt(i)) * 0x100000001b3L;
    }
    return (int) Long.remainderUnsigned(h, 1 << 18);
  }
}
