package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.StudentWeights;

/**
 * The weights a version ships, in its format, and the float weights they stand for (for int8, the
 * dequantized ones: what the edge's int8 model computes with, up to its activation rounding).
 *
 * @param format {@link StudentWeights#F32_V1} or {@link QuantizedWeights#INT8_V1}
 * @param bytes the encoded weights
 * @param floats the weights as floats
 * @param quantized the int8 weights, or null for float ones
 */
record ShippedWeights(String format, byte[] bytes, StudentWeights floats, QuantizedWeights quantized) {

  /**
   * The weights to ship; int8 ones keep each row of {@code previous} (the version in service, or null) that
   * moved less than a quantization step, so that a patch to it holds only the rows that moved.
   */
  static ShippedWeights of(StudentWeights weights, boolean int8, QuantizedWeights previous) {
    if (!int8) {
      return new ShippedWeights(StudentWeights.F32_V1, weights.encode(), weights, null);
    }
    QuantizedWeights quantized = QuantizedWeights.quantize(weights, previous);
    return new ShippedWeights(QuantizedWeights.INT8_V1, quantized.encode(), quantized.dequantize(), quantized);
  }

  /** The int8 weights of a published version, or null when it ships floats. */
  static QuantizedWeights quantized(StudentModelVersion version) {
    return QuantizedWeights.INT8_V1.equals(version.getWeightsFormat())
        ? QuantizedWeights.decode(AvroValues.bytes(version.getWeights())) : null;
  }

  /** The float weights of a published version, whatever its format. */
  static StudentWeights decode(StudentModelVersion version) {
    byte[] bytes = AvroValues.bytes(version.getWeights());
    return QuantizedWeights.INT8_V1.equals(version.getWeightsFormat())
        ? QuantizedWeights.decode(bytes).dequantize()
        : StudentWeights.decode(bytes);
  }
}
