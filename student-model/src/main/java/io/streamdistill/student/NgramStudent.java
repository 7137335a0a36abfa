package io.streamdistill.student;

/**
 * Plain-Java forward pass of an {@link NgramSpec}: the mean of the embedding rows of the text's
 * n-gram buckets, then {@code W h + b}. A text with no n-gram gets {@code h = 0}, so the bias alone.
 */
final class NgramStudent implements StudentModel {
  private final NgramSpec spec;
  private final NgramFeaturizer featurizer;
  private final float[] embedding;
  private final float[] outputWeight;
  private final float[] outputBias;
  private final int dim;

  NgramStudent(NgramSpec spec, StudentWeights parameters) {
    this.spec = spec;
    this.featurizer = new NgramFeaturizer(spec.featurizer());
    this.embedding = parameters.get(NgramSpec.EMBEDDING).values();
    this.outputWeight = parameters.get(NgramSpec.OUTPUT_WEIGHT).values();
    this.outputBias = parameters.get(NgramSpec.OUTPUT_BIAS).values();
    this.dim = spec.embeddingDim();
  }

  @Override
  public NgramSpec spec() {
    return spec;
  }

  @Override
  public float[] logits(StudentInput input) {
    // The thread's buffer: no array per request for the ids, read here at once.
    NgramFeaturizer.Buckets features = featurizer.bucketsOf(input.text());
    int[] buckets = features.ids();
    int count = features.count();
    float[] h = new float[dim];
    EmbeddingSums.addRows(embedding, dim, buckets, count, h);
    if (count > 0) {
      for (int d = 0; d < dim; d++) {
        h[d] /= count;
      }
    }
    int classes = outputBias.length;
    float[] logits = new float[classes];
    for (int c = 0; c < classes; c++) {
      float sum = 0f;
      for (int d = 0; d < dim; d++) {
        sum += outputWeight[c * dim + d] * h[d];
      }
      logits[c] = sum + outputBias[c];
    }
    return logits;
  }
}
