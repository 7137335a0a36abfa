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
 *       UTF-16 unit), except that with {@code cjkCharacters} each Chinese or Japanese ideograph or kana
 *       is a token of its own (those scripts do not put spaces between words, so a run of them is a
 *       sentence; as tokens their words and word pairs are the character unigrams and bigrams such text
 *       is classified by); only the first {@code maxTokens} count;
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
  /** The most ids a text may give: the largest array the JVM allocates, with room to spare. */
  private static final int MAX_IDS = Integer.MAX_VALUE - 16;

  private final Settings settings;
  /** Each n-gram type's and length's hash basis, by length: computed once, not per n-gram. */
  private final long[] wordBasis;
  private final long[] charBasis;
  /** {@code buckets - 1} when buckets is a power of two (a mask is the same modulo), else -1. */
  private final int mask;

  public NgramFeaturizer(Settings settings) {
    this.settings = settings;
    this.wordBasis = new long[settings.wordNgrams() + 1];
    for (int n = 1; n <= settings.wordNgrams(); n++) {
      wordBasis[n] = basis('w', n);
    }
    this.charBasis = new long[settings.charMax() + 1];
    for (int n = Math.max(settings.charMin(), 1); n <= settings.charMax(); n++) {
      charBasis[n] = basis('c', n);
    }
    int buckets = settings.buckets();
    this.mask = (buckets & (buckets - 1)) == 0 ? buckets - 1 : -1;
  }

  /** The featurizer's settings, part of a text student's spec. */
  public record Settings(int buckets, int wordNgrams, int charMin, int charMax, boolean lowercase, int maxTokens,
      boolean cjkCharacters) {
    /**
     * 2^16 buckets, words and word pairs, character 3- and 4-grams, lower case, 500 tokens, CJK characters
     * one a token. On mail (SpamAssassin, 12,804 soft labels, 5 seeds) 2^16 buckets made as few test errors as
     * 2^18 (32.8 ± 1.8 against 33.0 ± 0.7 at the trainer's defaults) in a quarter of the bytes per version.
     */
    public static Settings defaults() {
      return new Settings(1 << 16, 2, 3, 4, true, 500, true);
    }

    /**
     * Settings without {@code cjkCharacters}: the rule of every version and teacher made before it existed
     * (2026-12-06), whose specs do not name it, and of a structured record's fields of words.
     */
    public Settings(int buckets, int wordNgrams, int charMin, int charMax, boolean lowercase, int maxTokens) {
      this(buckets, wordNgrams, charMin, charMax, lowercase, maxTokens, false);
    }

    /** These settings with {@code buckets} buckets. */
    public Settings withBuckets(int buckets) {
      return new Settings(buckets, wordNgrams, charMin, charMax, lowercase, maxTokens, cjkCharacters);
    }

    /** These settings with {@code cjkCharacters} set or not. */
    public Settings withCjkCharacters(boolean cjk) {
      return new Settings(buckets, wordNgrams, charMin, charMax, lowercase, maxTokens, cjk);
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
    Buckets buckets = bucketsOf(text);
    return Arrays.copyOf(buckets.ids, buckets.count);
  }

  /**
   * The same bucket ids as {@link #features}, in a buffer of the calling thread that its next call
   * overwrites: for a caller that reads them at once (inference), with no allocation once the
   * buffers have grown to the longest text the thread has seen.
   *
   * @throws InputMismatchException when there is no text, or it is empty or only whitespace
   */
  public Buckets bucketsOf(String text) {
    if (text == null) {
      throw new InputMismatchException("this student reads text, and the input has none");
    }
    if (text.isBlank()) {
      // The teacher refuses it too (InputValidator): a blank text would get a near-uniform, meaningless label.
      throw new InputMismatchException("empty text: this student takes text");
    }
    Buckets b = THREAD_BUFFERS.get();
    b.releaseHuge();
    char[] chars = b.chars(text, settings.lowercase());
    int length = b.length;
    int[] starts = b.starts;
    int[] ends = b.ends;
    int tokens = 0;
    int longest = 0;
    long tokenChars = 0;
    int i = 0;
    boolean cjk = settings.cjkCharacters();
    while (i < length && tokens < settings.maxTokens()) {
      while (i < length && !isLetterOrDigit(chars[i])) {
        i++;
      }
      int start = i;
      if (cjk && i < length && isCjk(chars[i])) {
        i++;
      } else {
        while (i < length && isLetterOrDigit(chars[i]) && !(cjk && isCjk(chars[i]))) {
          i++;
        }
      }
      if (i > start) {
        if (tokens == starts.length) {
          starts = b.starts = Arrays.copyOf(starts, tokens * 2);
          ends = b.ends = Arrays.copyOf(ends, tokens * 2);
        }
        starts[tokens] = start;
        ends[tokens] = i;
        tokens++;
        longest = Math.max(longest, i - start);
        tokenChars += i - start;
      }
    }
    int capacity = capacity(tokens, tokenChars, text);
    if (b.ids.length < capacity) {
      b.ids = new int[Math.max(capacity, 2 * b.ids.length)];
    }
    int[] out = b.ids;
    int k = 0;
    if (b.padded.length < longest + 2) {
      b.padded = new char[Math.max(longest + 2, 2 * b.padded.length)];
      b.padded[0] = '<';
    }
    char[] padded = b.padded;
    boolean wordPairs = settings.wordNgrams() == 2;
    boolean threeAndFourGrams = settings.charMin() == 3 && settings.charMax() == 4;
    // With words and word pairs (the defaults), the pair that starts at a token is hashed in the same pass
    // over its characters as the token itself and the pair that ends with it: three independent chains.
    long pairStarted = 0L;
    for (int t = 0; t < tokens; t++) {
      // The word and the word n-grams that end with it.
      if (wordPairs) {
        long word = wordBasis[1];
        long pairEnding = pairStarted;
        long pairStarting = wordBasis[2];
        for (int j = starts[t]; j < ends[t]; j++) {
          char c = chars[j];
          word = (word ^ c) * FNV_PRIME;
          pairEnding = (pairEnding ^ c) * FNV_PRIME;
          pairStarting = (pairStarting ^ c) * FNV_PRIME;
        }
        out[k++] = bucket(word);
        if (t > 0) {
          out[k++] = bucket(pairEnding);
        }
        pairStarted = fnv(pairStarting, WORD_SEPARATOR);
      } else {
        out[k++] = bucket(fnv(wordBasis[1], chars, starts[t], ends[t]));
        k = wordNgramsEndingAt(t, chars, starts, ends, out, k);
      }
      // Character n-grams of "<token>".
      int padLength = ends[t] - starts[t] + 2;
      System.arraycopy(chars, starts[t], padded, 1, padLength - 2);
      padded[padLength - 1] = '>';
      if (threeAndFourGrams) {
        k = charThreeAndFourGrams(padded, padLength, out, k);
      } else {
        for (int n = settings.charMin(); n >= 1 && n <= settings.charMax(); n++) {
          k = charNgrams(n, padded, padLength, out, k);
        }
      }
    }
    b.count = k;
    return b;
  }

  /**
   * A thread's working buffers and the bucket ids of its last text: {@code ids()[0..count())}. Owned
   * by one thread, overwritten by its next {@link #bucketsOf} (of any featurizer). Grown to the text at
   * hand; a buffer grown past {@value #KEEP} entries by a huge text is let go at the next call, so a
   * thread keeps at most that much between texts.
   */
  public static final class Buckets {
    static final int KEEP = 1 << 16;
    private char[] chars = new char[256];
    /** How many of {@code chars} are the last text's. */
    private int length;
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    private char[] padded = initialPadded();
    private int[] ids = new int[1024];
    private int count;

    private Buckets() {}

    private void releaseHuge() {
      if (chars.length > KEEP) {
        chars = new char[KEEP];
      }
      if (ids.length > KEEP) {
        ids = new int[KEEP];
      }
      if (padded.length > KEEP) {
        padded = initialPadded();
      }
    }

    private static char[] initialPadded() {
      char[] padded = new char[64];
      padded[0] = '<';
      return padded;
    }

    /** The ids; only the first {@link #count()} are this text's. */
    public int[] ids() {
      return ids;
    }

    public int count() {
      return count;
    }

    /**
     * The text's UTF-16 units in the thread's buffer, lower-cased with {@link Locale#ROOT} when asked.
     * A text of Latin-1 characters alone is lower-cased one character at a time, which is what {@link
     * String#toLowerCase(Locale)} does for such a text; any other goes through it (a few characters
     * lower-case to two, or depend on their neighbours). Sets {@link #length}.
     */
    private char[] chars(String text, boolean lowercase) {
      int n = text.length();
      if (chars.length < n) {
        chars = new char[Math.max(n, 2 * chars.length)];
      }
      length = n;
      text.getChars(0, n, chars, 0);
      if (!lowercase) {
        return chars;
      }
      for (int i = 0; i < n; i++) {
        char c = chars[i];
        if (c > 0xFF) {
          String lower = text.toLowerCase(Locale.ROOT);
          if (chars.length < lower.length()) {
            chars = new char[lower.length()];
          }
          lower.getChars(0, lower.length(), chars, 0);
          length = lower.length();
          return chars;
        }
        chars[i] = LATIN1_LOWER[c];
      }
      return chars;
    }
  }

  /** {@link Character#isLetterOrDigit(char)} of each Latin-1 character, looked up instead of computed. */
  private static final boolean[] LATIN1_LETTER_OR_DIGIT = new boolean[256];
  /** {@link Character#toLowerCase(char)} of each Latin-1 character. */
  private static final char[] LATIN1_LOWER = new char[256];

  static {
    for (char c = 0; c < 256; c++) {
      LATIN1_LETTER_OR_DIGIT[c] = Character.isLetterOrDigit(c);
      LATIN1_LOWER[c] = Character.toLowerCase(c);
    }
  }

  /**
   * Whether {@code c} is a Han ideograph (CJK Unified Ideographs, Extension A, Compatibility Ideographs) or
   * kana (Hiragana, Katakana, their phonetic extensions and the half-width forms): the characters of scripts
   * written without spaces between words. Hangul is not among them (Korean separates words by spaces).
   */
  static boolean isCjk(char c) {
    return c >= 0x3040 && (c <= 0x30FF // Hiragana, Katakana
        || (c >= 0x31F0 && c <= 0x31FF) // Katakana phonetic extensions
        || (c >= 0x3400 && c <= 0x4DBF) // CJK Extension A
        || (c >= 0x4E00 && c <= 0x9FFF) // CJK Unified Ideographs
        || (c >= 0xF900 && c <= 0xFAFF) // CJK Compatibility Ideographs
        || (c >= 0xFF66 && c <= 0xFF9F)); // half-width Katakana
  }

  private static boolean isLetterOrDigit(char c) {
    return c < 256 ? LATIN1_LETTER_OR_DIGIT[c] : Character.isLetterOrDigit(c);
  }

  private static final ThreadLocal<Buckets> THREAD_BUFFERS = ThreadLocal.withInitial(Buckets::new);

  /**
   * At least as many as the tokens' n-grams, from their count and length alone (a second pass over
   * the tokens for the exact count cost more than the room it saved): each token gives at most
   * {@code wordNgrams} word n-grams and, per character length, at most its length plus 2 windows.
   */
  private int capacity(int tokens, long tokenChars, String text) {
    int charLengths = settings.charMin() == 0 ? 0 : settings.charMax() - settings.charMin() + 1;
    long bound = (long) tokens * settings.wordNgrams() + charLengths * (tokenChars + 2L * tokens);
    if (bound > MAX_IDS) {
      throw new InputMismatchException("text too long for this student: " + text.length()
          + " characters give more n-grams than an array holds");
    }
    return (int) bound;
  }

  /** Writes the buckets of the word 2..wordNgrams-grams that end with token {@code t}; returns the next index. */
  private int wordNgramsEndingAt(int t, char[] chars, int[] starts, int[] ends, int[] out, int k) {
    for (int n = 2; n <= settings.wordNgrams() && t - n + 1 >= 0; n++) {
      long h = wordBasis[n];
      for (int j = t - n + 1; j <= t; j++) {
        if (j > t - n + 1) {
          h = fnv(h, WORD_SEPARATOR);
        }
        h = fnv(h, chars, starts[j], ends[j]);
      }
      out[k++] = bucket(h);
    }
    return k;
  }

  /**
   * Writes the buckets of the {@code n}-character windows of {@code padded[0..padLength)} from
   * {@code out[k]} on, and returns the next free index.
   */
  private int charNgrams(int n, char[] padded, int padLength, int[] out, int k) {
    long basis = charBasis[n];
    int windows = Math.max(padLength - n + 1, 0);
    for (int from = 0; from < windows; from++) {
      out[k + from] = bucket(fnv(basis, padded, from, from + n));
    }
    return k + windows;
  }

  /**
   * The character 3-grams and then 4-grams of {@code padded[0..padLength)} (a padded token is at least
   * 3 long), as {@link #charNgrams} writes them for 3 and then 4: the defaults' widths. The 3-gram and
   * the 4-gram that start at one place are hashed side by side in straight-line code, so that the
   * processor works on several independent chains of multiplications at once instead of waiting on
   * one after another (with the word pairs' single pass, 29 to 17 us per 2 KB mail).
   */
  private int charThreeAndFourGrams(char[] padded, int padLength, int[] out, int k) {
    long basis3 = charBasis[3];
    long basis4 = charBasis[4];
    int threes = padLength - 2;
    int fours = k + threes;
    for (int from = 0; from < threes - 1; from++) {
      long h3 = (basis3 ^ padded[from]) * FNV_PRIME;
      long h4 = (basis4 ^ padded[from]) * FNV_PRIME;
      h3 = (h3 ^ padded[from + 1]) * FNV_PRIME;
      h4 = (h4 ^ padded[from + 1]) * FNV_PRIME;
      h3 = (h3 ^ padded[from + 2]) * FNV_PRIME;
      h4 = (h4 ^ padded[from + 2]) * FNV_PRIME;
      out[k + from] = bucket(h3);
      out[fours + from] = bucket((h4 ^ padded[from + 3]) * FNV_PRIME);
    }
    int last = threes - 1;
    out[k + last] = bucket(fnv(basis3, padded, last, last + 3));
    return fours + threes - 1;
  }

  private int bucket(long hash) {
    // The same bucket either way; a mask costs a cycle where a division costs dozens, and a power of two is usual.
    return mask >= 0 ? (int) (hash & mask) : (int) Long.remainderUnsigned(hash, settings.buckets());
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
}
