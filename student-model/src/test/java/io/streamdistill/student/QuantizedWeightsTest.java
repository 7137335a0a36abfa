package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantizedWeightsTest {
  private final StudentWeights weights = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 1, 0.1f);

  @Test
  void shouldDequantizeEveryWeightWithinHalfAStepOfItsRow() {
    QuantizedWeights quantized = QuantizedWeights.quantize(weights);
    StudentWeights restored = quantized.dequantize();
    for (String name : List.of("dense0.weight", "dense1.weight")) {
      QuantizedWeights.Int8Tensor q = quantized.int8(name);
      float[] original = weights.get(name).values();
      float[] back = restored.get(name).values();
      int length = q.rowLength();
      for (int r = 0; r < q.rows(); r++) {
        float max = 0f;
        for (int i = r * length; i < (r + 1) * length; i++) {
          max = Math.max(max, Math.abs(original[i]));
        }
        assertEquals(max / 127, q.scales()[r], 0f, name + " row " + r + ": scale is max|w| / 127");
        for (int i = r * length; i < (r + 1) * length; i++) {
          // Half a step from rounding, plus one float rounding of q * scale.
          assertTrue(Math.abs(original[i] - back[i]) <= q.scales()[r] / 2 + Math.ulp(original[i]),
              name + "[" + i + "]: " + original[i] + " came back as " + back[i] + " with scale " + q.scales()[r]);
        }
      }
    }
  }

  @Test
  void shouldKeepTheLargestWeightOfEachRowAtCode127() {
    QuantizedWeights.Int8Tensor q = QuantizedWeights.quantize(weights).int8("dense0.weight");
    for (int r = 0; r < q.rows(); r++) {
      int largest = 0;
      for (int i = r * q.rowLength(); i < (r + 1) * q.rowLength(); i++) {
        largest = Math.max(largest, Math.abs(q.values()[i]));
      }
      assertEquals(127, largest, "row " + r + " should use the whole range");
    }
  }

  @Test
  void shouldRoundTripAZeroRowAndPrunedZerosToExactZeros() {
    StudentWeights sparse = Pruning.prune(weights, 0.7);
    float[] first = sparse.get("dense0.weight").values();
    Arrays.fill(first, 0, 784, 0f); // neuron 0 pruned entirely
    QuantizedWeights quantized = QuantizedWeights.quantize(sparse);
    assertEquals(0f, quantized.int8("dense0.weight").scales()[0]);
    float[] back = quantized.dequantize().get("dense0.weight").values();
    for (int i = 0; i < 784; i++) {
      assertEquals(0f, back[i], "zero row, value " + i);
    }
    assertEquals(Pruning.sparsity(sparse),
        Pruning.sparsity(QuantizedWeights.decode(quantized.encode()).dequantize()), 0.0,
        "every pruned weight stays exactly zero through int8");
  }

  @Test
  void shouldKeepBiasesAsExactFloats() {
    QuantizedWeights quantized = QuantizedWeights.quantize(weights);
    assertInstanceOf(QuantizedWeights.FloatTensor.class, quantized.get("dense0.bias"));
    assertArrayEquals(weights.get("dense0.bias").values(), quantized.dequantize().get("dense0.bias").values());
    // A copy: the trainer goes on updating its float weights after quantizing a version.
    weights.get("dense0.bias").values()[0] += 1f;
    assertTrue(quantized.float32("dense0.bias").values()[0] != weights.get("dense0.bias").values()[0]);
  }

  @Test
  void shouldRoundTripThroughBytesExactly() {
    QuantizedWeights quantized =
        QuantizedWeights.quantize(StudentFixtures.randomWeights(StudentFixtures.tinyNgram(), 2, 0.1f));
    QuantizedWeights decoded = QuantizedWeights.decode(quantized.encode());
    assertEquals(quantized.tensors().keySet(), decoded.tensors().keySet());
    QuantizedWeights.Int8Tensor embedding = quantized.int8(NgramSpec.EMBEDDING);
    assertArrayEquals(embedding.shape(), decoded.int8(NgramSpec.EMBEDDING).shape());
    assertArrayEquals(embedding.scales(), decoded.int8(NgramSpec.EMBEDDING).scales());
    assertArrayEquals(embedding.values(), decoded.int8(NgramSpec.EMBEDDING).values());
    assertArrayEquals(quantized.float32(NgramSpec.OUTPUT_BIAS).values(),
        decoded.float32(NgramSpec.OUTPUT_BIAS).values());
    decoded.requireFits(StudentFixtures.tinyNgram());
  }

  @Test
  void shouldBeAboutAQuarterOfTheFloatBytesForAnMlp() {
    MlpSpec spec = new MlpSpec(StudentFixtures.DIGITS, 784, List.of(64));
    StudentWeights floats = StudentFixtures.randomWeights(spec, 3, 0.1f);
    double ratio = (double) floats.encode().length / QuantizedWeights.quantize(floats).encode().length;
    // Not exactly 4: biases stay float and each row carries a float scale (74 rows against 50,816 weights).
    assertTrue(ratio > 3.9 && ratio < 4.0, "f32 / int8 bytes = " + ratio);
  }

  @Test
  void shouldRefuseTruncatedOrPaddedOrForeignBytes() {
    byte[] bytes = QuantizedWeights.quantize(weights).encode();
    assertRefused(Arrays.copyOf(bytes, bytes.length - 3), "truncated");
    assertRefused(Arrays.copyOf(bytes, 30), "truncated");
    assertRefused(Arrays.copyOf(bytes, bytes.length + 1), "1 bytes after the last parameter");
    assertRefused(new byte[] {1, 2, 3, 4, 5}, "magic 'SDQ1'");
    assertRefused(weights.encode(), "magic 'SDQ1'"); // f32-v1 bytes are not int8-v1
    assertRefused(new byte[0], "truncated");
  }

  @Test
  void shouldRefuseAnUnknownTensorKindOrAnOutOfRangeValue() {
    byte[] bytes = QuantizedWeights.quantize(weights).encode();
    // "SDQ1", count, then the first tensor: int16 name length, "dense0.weight", kind.
    int kind = 4 + 4 + 2 + "dense0.weight".length();
    assertEquals(1, bytes[kind]);
    byte[] unknown = bytes.clone();
    unknown[kind] = 7;
    assertRefused(unknown, "unknown tensor kind 7");
    // The first int8 value, after rank, two dims and 16 scales.
    int firstValue = kind + 1 + 4 + 2 * 4 + 16 * 4;
    byte[] outOfRange = bytes.clone();
    outOfRange[firstValue] = Byte.MIN_VALUE;
    assertRefused(outOfRange, "outside [-127, 127]");
    byte[] negativeScale = bytes.clone();
    ByteBuffer.wrap(negativeScale).putFloat(firstValue - 16 * 4, -0.5f);
    assertRefused(negativeScale, "scale -0.5");
  }

  @Test
  void shouldRefuseWeightsThatDoNotFitTheArchitectureOrTheInt8Layout() {
    QuantizedWeights quantized = QuantizedWeights.quantize(weights);
    var other = assertThrows(IllegalArgumentException.class,
        () -> quantized.requireFits(new MlpSpec(StudentFixtures.DIGITS, 784, List.of(32))));
    assertTrue(other.getMessage().contains("dense0.weight"), other.getMessage());
    // A float matrix is well-formed int8-v1 bytes, but not what the int8 models read.
    StudentWeights floatMatrix = new StudentWeights()
        .put("dense0.weight", new int[] {2, 2}, new float[] {1, 2, 3, 4})
        .put("dense0.bias", new int[] {2}, new float[2])
        .put("dense1.weight", new int[] {2, 2}, new float[] {1, 2, 3, 4})
        .put("dense1.bias", new int[] {2}, new float[2]);
    QuantizedWeights mixed = QuantizedWeights.decode(withFloatFirstTensor(QuantizedWeights.quantize(floatMatrix)));
    var layout = assertThrows(IllegalArgumentException.class,
        () -> mixed.requireFits(new MlpSpec(List.of("a", "b"), 2, List.of(2))));
    assertTrue(layout.getMessage().contains("dense0.weight is float32"), layout.getMessage());
  }

  @Test
  void shouldRefuseWeightsThatCannotBeQuantized() {
    StudentWeights broken = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 1, 0.1f);
    broken.get("dense1.weight").values()[17] = Float.NaN;
    var e = assertThrows(IllegalArgumentException.class, () -> QuantizedWeights.quantize(broken));
    assertTrue(e.getMessage().contains("dense1.weight: row 1 holds NaN"), e.getMessage());
  }

  /** Re-encodes the first tensor (a 2 x 2 matrix) as kind 0, float32. */
  private static byte[] withFloatFirstTensor(QuantizedWeights quantized) {
    byte[] bytes = quantized.encode();
    int kind = 4 + 4 + 2 + "dense0.weight".length();
    int data = kind + 1 + 4 + 2 * 4;
    int int8Length = 2 * 4 + 4; // two scales, four values
    ByteBuffer out = ByteBuffer.allocate(bytes.length - int8Length + 4 * 4);
    out.put(bytes, 0, kind).put((byte) 0).put(bytes, kind + 1, data - kind - 1);
    out.putFloat(1).putFloat(2).putFloat(3).putFloat(4);
    out.put(bytes, data + int8Length, bytes.length - data - int8Length);
    return out.array();
  }

  private static void assertRefused(byte[] bytes, String reason) {
    var e = assertThrows(IllegalArgumentException.class, () -> QuantizedWeights.decode(bytes));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
