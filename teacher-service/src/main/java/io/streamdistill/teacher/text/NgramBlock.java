package io.streamdistill.teacher.text;

import io.streamdistill.student.NgramFeaturizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A text's hashed n-grams as a text teacher's head reads them after the embedding: the count of each
 * bucket, the whole scaled to unit length, held sparse (the buckets in increasing order and their
 * values). The n-grams are the student's own ({@link NgramFeaturizer}), so a head over the embedding
 * and this block knows what the encoder knows and what a hashed n-gram student can learn.
 *
 * @param indexes the buckets that occur, increasing
 * @param values each one's count divided by the counts' Euclidean norm
 */
record NgramBlock(int[] indexes, float[] values) {
  /** No n-gram: a text without letters or digits. */
  static final NgramBlock EMPTY = new NgramBlock(new int[0], new float[0]);

  /**
   * How a teacher.json names the block's featurizer:
   * {@code buckets=16384,words=2,chars=3-4,lowercase=true,maxTokens=500,cjk=true} ({@code cjk} named only when
   * set: a teacher made before it reads as it was written).
   */
  static String describe(NgramFeaturizer.Settings settings) {
    return "buckets=" + settings.buckets() + ",words=" + settings.wordNgrams() + ",chars=" + settings.charMin() + "-"
        + settings.charMax() + ",lowercase=" + settings.lowercase() + ",maxTokens=" + settings.maxTokens()
        + (settings.cjkCharacters() ? ",cjk=true" : "");
  }

  /**
   * The featurizer {@link #describe} named.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  static NgramFeaturizer.Settings parse(String text) {
    Map<String, String> fields = new HashMap<>();
    for (String part : text.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("n-gram settings must be key=value pairs like " + describe(
            TextTeacherTrainer.ngramFeaturizer(TextTeacherTrainer.DEFAULT_NGRAM_BUCKETS)) + ", not '" + text + "'");
      }
      fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    try {
      String[] chars = require(fields, "chars", text).split("-", -1);
      if (chars.length != 2) {
        throw new IllegalArgumentException("chars must be MIN-MAX, in '" + text + "'");
      }
      String lowercase = require(fields, "lowercase", text);
      if (!lowercase.equals("true") && !lowercase.equals("false")) {
        throw new IllegalArgumentException("lowercase must be true or false, in '" + text + "'");
      }
      String cjk = fields.getOrDefault("cjk", "false");
      if (!cjk.equals("true") && !cjk.equals("false")) {
        throw new IllegalArgumentException("cjk must be true or false, in '" + text + "'");
      }
      return new NgramFeaturizer.Settings(Integer.parseInt(require(fields, "buckets", text)),
          Integer.parseInt(require(fields, "words", text)), Integer.parseInt(chars[0]), Integer.parseInt(chars[1]),
          Boolean.parseBoolean(lowercase), Integer.parseInt(require(fields, "maxTokens", text)),
          Boolean.parseBoolean(cjk));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("n-gram settings '" + text + "' hold a number that is not one: "
          + e.getMessage(), e);
    }
  }

  private static String require(Map<String, String> fields, String key, String text) {
    String value = fields.get(key);
    if (value == null) {
      throw new IllegalArgumentException("n-gram settings '" + text + "' have no " + key);
    }
    return value;
  }

  /** The block of {@code text}; empty for a blank text (the service refuses those before the model). */
  static NgramBlock of(NgramFeaturizer featurizer, String text) {
    if (text == null || text.isBlank()) {
      return EMPTY;
    }
    int[] buckets = featurizer.features(text);
    if (buckets.length == 0) {
      return EMPTY;
    }
    Arrays.sort(buckets);
    int distinct = 0;
    int[] indexes = new int[buckets.length];
    int[] counts = new int[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      if (distinct > 0 && indexes[distinct - 1] == buckets[i]) {
        counts[distinct - 1]++;
      } else {
        indexes[distinct] = buckets[i];
        counts[distinct++] = 1;
      }
    }
    double squares = 0;
    for (int i = 0; i < distinct; i++) {
      squares += (double) counts[i] * counts[i];
    }
    double norm = Math.sqrt(squares);
    float[] values = new float[distinct];
    for (int i = 0; i < distinct; i++) {
      values[i] = (float) (counts[i] / norm);
    }
    return new NgramBlock(Arrays.copyOf(indexes, distinct), values);
  }
}
