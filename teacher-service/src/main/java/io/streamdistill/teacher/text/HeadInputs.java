package io.streamdistill.teacher.text;

import io.streamdistill.student.NgramFeaturizer;
import java.util.List;
import java.util.Objects;

/**
 * The rows a head is trained and measured on: each example's embedding, then, when the head reads
 * n-grams too, its {@link NgramBlock} of {@code ngramWidth} columns (held sparse: a data set's texts
 * touch a small part of the buckets). Immutable.
 */
final class HeadInputs {
  private final float[][] embeddings;
  private final NgramBlock[] ngrams;
  private final int ngramWidth;

  private HeadInputs(float[][] embeddings, NgramBlock[] ngrams, int ngramWidth) {
    this.embeddings = embeddings;
    this.ngrams = ngrams;
    this.ngramWidth = ngramWidth;
  }

  /** Embeddings alone. */
  static HeadInputs of(float[][] embeddings) {
    return new HeadInputs(Objects.requireNonNull(embeddings, "embeddings"), null, 0);
  }

  /**
   * The embeddings followed by the n-grams of the texts ({@code texts.get(i)} is row {@code i}'s); with a
   * null featurizer, the embeddings alone.
   */
  static HeadInputs of(float[][] embeddings, List<String> texts, NgramFeaturizer featurizer) {
    if (featurizer == null) {
      return of(embeddings);
    }
    if (texts.size() != embeddings.length) {
      throw new IllegalArgumentException(embeddings.length + " embeddings but " + texts.size() + " texts");
    }
    NgramBlock[] blocks = new NgramBlock[texts.size()];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = NgramBlock.of(featurizer, texts.get(i));
    }
    return new HeadInputs(embeddings, blocks, featurizer.settings().buckets());
  }

  int size() {
    return embeddings.length;
  }

  float[] embedding(int row) {
    return embeddings[row];
  }

  /** Row {@code row}'s n-grams; empty when the head reads embeddings alone. */
  NgramBlock ngrams(int row) {
    return ngrams == null ? NgramBlock.EMPTY : ngrams[row];
  }

  /** Columns after the embedding: the n-gram buckets, or 0. */
  int ngramWidth() {
    return ngramWidth;
  }
}
