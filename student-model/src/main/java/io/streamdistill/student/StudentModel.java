package io.streamdistill.student;

/**
 * A student ready to answer: its spec and weights, in plain Java. Immutable and thread-safe: one
 * instance serves any number of threads, and swapping versions is swapping a reference.
 *
 * <pre>{@code
 * StudentModel model = StudentModel.create(spec, StudentWeights.decode(bytes));   // "f32-v1"
 * StudentModel small = StudentModel.create(spec, QuantizedWeights.decode(bytes)); // "int8-v1"
 * float[] p = model.probabilities(StudentInput.ofText("Subject: cheap pills ..."));
 * }</pre>
 */
public interface StudentModel {
  StudentSpec spec();

  /**
   * The logits for an input.
   *
   * @throws InputMismatchException when the input does not fit the student (no text, wrong width, NaN)
   */
  float[] logits(StudentInput input);

  /** Class probabilities, {@code softmax(logits)}. */
  default float[] probabilities(StudentInput input) {
    return Softmax.probabilities(logits(input), 1f);
  }

  /**
   * A model for a spec and its weights.
   *
   * @throws IllegalArgumentException when the weights are not the spec's parameters
   */
  static StudentModel create(StudentSpec spec, StudentWeights weights) {
    weights.requireFits(spec);
    if (spec instanceof MlpSpec mlp) {
      return new MlpStudent(mlp, weights);
    }
    if (spec instanceof ConvSpec conv) {
      return new ConvStudent(conv, weights);
    }
    return new NgramStudent((NgramSpec) spec, weights);
  }

  /**
   * An int8 model for a spec and its quantized weights: int8 weights, float biases, and for an MLP
   * int8 activations with int32 dot products. Its logits are those of {@code create(spec,
   * weights.dequantize())} up to the rounding of activations. A {@code cnn} is shipped in int8 (a
   * quarter of the bytes) and computes in float: {@code create(spec, weights.dequantize())}.
   *
   * @throws IllegalArgumentException when the weights are not the spec's parameters in {@value
   *     QuantizedWeights#INT8_V1} layout
   */
  static StudentModel create(StudentSpec spec, QuantizedWeights weights) {
    weights.requireFits(spec);
    if (spec instanceof MlpSpec mlp) {
      return new Int8MlpStudent(mlp, weights);
    }
    if (spec instanceof ConvSpec conv) {
      return new ConvStudent(conv, weights.dequantize());
    }
    return new Int8NgramStudent((NgramSpec) spec, weights);
  }
}
