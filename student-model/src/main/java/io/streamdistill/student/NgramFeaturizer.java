package io.streamdistill.student;

import java.util.Arrays;
import java.util.Locale;

/**
 * Turns a text into the bucket ids of its hashed word and character n-grams. The one featurizer
 * of text students, used by the trainer and by the edge node alike. Immutable and thread-safe.
 *
 * <p>The rules, which a version's spec fixes and which must never change under a published version:
 * <ol>
 *   <li>the text is lower-cased with {@link Locale#ROOT} when {@code lowercase} is set;
 *   <li>tokens are maximal runs of letters and digits ({@link Character#isLetterOrDigit(char)} per
 *       UTF-16 unit); only the first {@code maxTokens} count;
 *   <li>each token gives its word, each run of {@code 2..wordNgrams} consecutive tokens gives a word
 *       n-gram (tokens joined by one space), and each {@code charMin..charMax}-character window of
 *       {@code "<" + token + ">"} gives a character n-gram;
 *   <li>an n-gram's bucket is its 64-bit FNV-1a hash over its UTF-16 units, started from a basis
 *       that differs per n-gram type and length, taken modulo {@code buckets} (unsigned).
 * </ol>
 * A bucket appears once per occurrence, so repeated n-grams weigh more, as in fastText.
 */
public final class NgramFeaturizer {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final char WORD_SEPARATOR = ' ';

  private final Settings settings;

  public NgramFeaturizer(Settings settings) {
    this.settings = settings;
  }

  /** The featurizer's settings, part of a text student's spec. */
  public record Settings(int buckets, int wordNgrams, int charMin, int charMax, boolean lowercase, int maxTokens) {
    /**
     * 2^16 buckets, words and word pairs, character 3- and 4-grams, lower case, 500 tokens. On mail
     * (SpamAssassin, 12,804 soft labels, 5 seeds) 2^16 buckets made as few test errors as 2^18
     * (32.8 ± 1.8 against 33.0 ± 0.7 at the trainer's defaults) in a quarter of the bytes per version.
     */
    public static Settings defaults() {
      return new Settings(1 << 16, 2, 3, 4, true, 500);
    }

    public Settings {
      if (buckets < 1) {
        throw new IllegalArgumentException("buckets must be positive, got " + buckets);
      }
      if (wordNgrams < 1) {
        throw new IllegalArgumentException("wordNgrams must be at least 1 (words alone), got " + wordNgrams);
      }
      if (charMin < 0 || charMax < charMin || (charMin == 0 && charMax != 0)) {
        throw new IllegalArgumentException("character n-grams need 1 <= charMin <= charMax (or both 0 for none), got "
            + charMin + ".." + charMax);
      }
      if (maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
      }
    }
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The bucket ids of the text's n-grams, in the order they occur (empty for a text without
   * letters or digits).
   *
   * @throws InputMismatchException when there is no text, or it is empty or only whitespace
   */
  public int[] features(String text) {
    if (text == null) {
      throw new InputMismatchException("this student reads text, and the input has none");
    }
    if (text.isBlank()) {
      // The teacher refuses it too (InputValidator): a blank text would get a near-uniform, meaningless label.
      throw new InputMismatchException("empty text: this student takes text");
    }
    char[] chars = (settings.lowercase() ? text.toLowerCase(Locale.ROOT) : text).toCharArray();
    int[] starts = new int[Math.min(settings.maxTokens(), 64)];
    int[] ends = new int[starts.length];
    int tokens = 0;
    int i = 0;
    while (i < chars.length && tokens < settings.maxTokens()) {
      while (i < chars.length && !Character.isLetterOrDigit(chars[i])) {
        i++;
      }
      int start = i;
      while (i < chars.length && Character.isLetterOrDigit(chars[i])) {
        i++;
      }
      if (i > start) {
        if (tokens == starts.length) {
          starts = Arrays.copyOf(starts, Math.min(settings.maxTokens(), tokens * 2));
          ends = Arrays.copyOf(ends, starts.length);
        }
        starts[tokens] = start;
        ends[tokens] = i;
        tokens++;
      }
    }
    IntBuffer out = new IntBuffer(tokens * 8);
    for (int t = 0; t < tokens; t++) {
      // The word and the word n-grams that end with it.
      long hash = basis('w', 1);
      hash = fnv(hash, chars, starts[t], ends[t]);
      out.add(bucket(hash));
      for (int n = 2; n <= settings.wordNgrams() && t - n + 1 >= 0; n++) {
        long h = basis('w', n);
        for (int k = t - n + 1; k <= t; k++) {
          if (k > t - n + 1) {
            h = fnv(h, WORD_SEPARATOR);
          }
          h = fnv(h, chars, starts[k], ends[k]);
        }
        out.add(bucket(h));
      }
      // Character n-grams of "<token>".
      int length = ends[t] - starts[t] + 2;
      for (int n = settings.charMin(); n >= 1 && n <= settings.charMax(); n++) {
        for (int from = 0; from + n <= length; from++) {
          long h = basis('c', n);
          for (int p = from; p < from + n; p++) {
            h = fnv(h, p == 0 ? '<' : p == length - 1 ? '>' : chars[starts[t] + p - 1]);
          }
          out.add(bucket(h));
        }
      }
    }
    return out.toArray();
  }

  private int bucket(long hash) {
    int buckets = settings.buckets();
    // The same bucket either way; a mask costs a cycle where a division costs dozens, and a power of two is usual.
    return (buckets & (buckets - 1)) == 0 ? (int) (hash & (buckets - 1)) : (int) Long.remainderUnsigned(hash, buckets);
  }

  private static long basis(char type, int n) {
    return fnv(fnv(FNV_OFFSET, type), (char) ('0' + n));
  }

  private static long fnv(long hash, char c) {
    return (hash ^ c) * FNV_PRIME;
  }

  private static long fnv(long hash, char[] chars, int from, int to) {
    for (int i = from; i < to; i++) {
      hash = (hash ^ chars[i]) * FNV_PRIME;
    }
    return hash;
  }

  /** A growable int array, to avoid boxing. */
  private static final class IntBuffer {
    private int[] values;
    private int size;

    IntBuffer(int capacity) {
      values = new int[Math.max(capacity, 16)];
    }

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
