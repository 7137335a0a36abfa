package io.streamdistill.student;

/**
 * Plain-Java forward pass of an {@link MlpSpec}: {@code y = W x + b}, ReLU between layers, over the
 * vector or, for a {@code fields-mlp}, over the record's features.
 */
final class MlpStudent implements StudentModel {
  private final MlpSpec spec;
  private final DenseFeaturizer featurizer;
  /** The structured record's featurizer of a {@code fields-mlp} student, else null. */
  private final FieldFeaturizer fieldFeaturizer;
  private final float[][] weights;
  private final float[][] biases;
  private final int[] widths;

  MlpStudent(MlpSpec spec, StudentWeights parameters) {
    this.spec = spec;
    this.featurizer = new DenseFeaturizer(spec.inputSize());
    this.fieldFeaturizer = spec.fields() == null ? null : new FieldFeaturizer(spec.fields());
    this.widths = spec.widths();
    this.weights = new float[widths.length - 1][];
    this.biases = new float[widths.length - 1][];
    for (int layer = 0; layer < weights.length; layer++) {
      weights[layer] = parameters.get(MlpSpec.weightName(layer)).values();
      biases[layer] = parameters.get(MlpSpec.biasName(layer)).values();
    }
  }

  @Override
  public MlpSpec spec() {
    return spec;
  }

  @Override
  public float[] logits(StudentInput input) {
    float[] x = fieldFeaturizer != null ? fieldFeaturizer.featurize(input.fields()) : featurizer.features(input.vector());
    for (int layer = 0; layer < weights.length; layer++) {
      int in = widths[layer];
      int out = widths[layer + 1];
      float[] w = weights[layer];
      float[] y = new float[out];
      boolean last = layer == weights.length - 1;
      for (int o = 0; o < out; o++) {
        float sum = 0f;
        int row = o * in;
        for (int i = 0; i < in; i++) {
          sum += w[row + i] * x[i];
        }
        sum += biases[layer][o];
        y[o] = last || sum > 0f ? sum : 0f;
      }
      x = y;
    }
    return x;
  }
}
