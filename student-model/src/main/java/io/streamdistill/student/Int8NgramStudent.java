package io.streamdistill.student;

/**
 * Int8 forward pass of an {@link NgramSpec}, from {@link QuantizedWeights}: {@code h} is the mean of
 * the text's embedding rows, each int8 row times its scale; the logits are the int8 output rows times
 * {@code h}, times their row scales, plus the float bias. Computes what {@link NgramStudent} computes
 * on the dequantized weights, up to float rounding order. Immutable and thread-safe.
 *
 * <p>The embedding (one row per bucket, by far the largest parameter) is turned into float rows once,
 * at load, when they take at most {@link #FLOAT_ROWS_MAX_BYTES}: summing float rows costs about half
 * of converting each int8 value on every request (Java 17's compiler does not vectorize the
 * conversion), and for the usual tables the float copy is a few MiB. A larger table stays at one byte
 * per value in memory and is summed from its int8 rows.
 */
final class Int8NgramStudent implements StudentModel {
  /** 16 MiB: the float rows of a 2^18 x 16 table, 4 times the default table. */
  static final long FLOAT_ROWS_MAX_BYTES = 16L << 20;

  private final NgramSpec spec;
  private final NgramFeaturizer featurizer;
  /** The embedding's float rows ({@code q * scale}), or null where it is summed from its int8 rows. */
  private final float[] floatEmbedding;
  private final byte[] embedding;
  private final float[] embeddingScales;
  private final byte[] outputWeight;
  private final float[] outputScales;
  private final float[] outputBias;
  private final int dim;

  Int8NgramStudent(NgramSpec spec, QuantizedWeights parameters) {
    this(spec, parameters, FLOAT_ROWS_MAX_BYTES);
  }

  /** With another bound on the float rows: 0 keeps the embedding in int8 whatever its size. */
  Int8NgramStudent(NgramSpec spec, QuantizedWeights parameters, long floatRowsMaxBytes) {
    this.spec = spec;
    this.featurizer = new NgramFeaturizer(spec.featurizer());
    QuantizedWeights.Int8Tensor embedding = parameters.int8(NgramSpec.EMBEDDING);
    boolean floatRows = (long) Float.BYTES * embedding.values().length <= floatRowsMaxBytes;
    this.floatEmbedding = floatRows ? embedding.toFloats() : null;
    this.embedding = floatRows ? null : embedding.values();
    this.embeddingScales = floatRows ? null : embedding.scales();
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
    if (floatEmbedding != null) {
      EmbeddingSums.addRows(floatEmbedding, dim, buckets, count, h);
    } else {
      EmbeddingSums.addScaledRows(embedding, embeddingScales, dim, buckets, count, h);
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
