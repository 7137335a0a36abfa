package io.streamdistill.student;

/**
 * Int8 forward pass of an {@link NgramSpec}, from {@link QuantizedWeights}: {@code h} is the mean of
 * the text's int8 embedding rows, each times its row scale, in float; the logits are the int8 output
 * rows times {@code h}, times their row scales, plus the float bias. The embedding, by far the largest
 * parameter (one row per bucket), stays at one byte per value in memory. Computes what {@link
 * NgramStudent} computes on the dequantized weights, up to float rounding order. Immutable and
 * thread-safe.
 */
final class Int8NgramStudent implements StudentModel {
  private final NgramSpec spec;
  private final NgramFeaturizer featurizer;
  private final byte[] embedding;
  private final float[] embeddingScales;
  private final byte[] outputWeight;
  private final float[] outputScales;
  private final float[] outputBias;
  private final int dim;

  Int8NgramStudent(NgramSpec spec, QuantizedWeights parameters) {
    this.spec = spec;
    this.featurizer = new NgramFeaturizer(spec.featurizer());
    QuantizedWeights.Int8Tensor embedding = parameters.int8(NgramSpec.EMBEDDING);
    this.embedding = embedding.values();
    this.embeddingScales = embedding.scales();
    QuantizedWeights.Int8Tensor output = parameters.int8(NgramSpec.OUTPUT_WEIGHT);
    this.outputWeight = output.values();
    this.outputScales = output.scales();
    this.outputBias = parameters.float32(NgramSpec.OUTPUT_BIAS).values();
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
    for (int i = 0; i < count; i++) {
      int bucket = buckets[i];
      int row = bucket * dim;
      float scale = embeddingScales[bucket];
      if (dim == 16) {
        // The presets' width: a loop of a constant count is unrolled and vectorized by the JIT, and the fused
        // multiply-add saves a rounding step (Int8InferenceBenchmark measures it).
        for (int d = 0; d < 16; d++) {
          h[d] = Math.fma(embedding[row + d], scale, h[d]);
        }
      } else {
        for (int d = 0; d < dim; d++) {
          h[d] = Math.fma(embedding[row + d], scale, h[d]);
        }
      }
    }
    if (count > 0) {
      for (int d = 0; d < dim; d++) {
        h[d] /= count;
      }
    }
    int classes = outputBias.length;
    float[] logits = new float[classes];
    for (int c = 0; c < classes; c++) {
      // h stays float (a mean of rows of different scales): quantizing it would save next to nothing,
      // the output layer being classes x dim, a few hundred products, against the embedding's sums.
      float sum = 0f;
      for (int d = 0; d < dim; d++) {
        sum += outputWeight[c * dim + d] * h[d];
      }
      logits[c] = sum * outputScales[c] + outputBias[c];
    }
    return logits;
  }
}
