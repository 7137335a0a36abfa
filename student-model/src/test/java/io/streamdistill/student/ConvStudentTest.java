package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvStudentTest {
  @Test
  void shouldComputeWhatTheTextbookConvolutionComputes() {
    ConvSpec spec = StudentFixtures.tinyCnn();
    StudentWeights weights = StudentFixtures.randomWeights(spec, 7, 0.5f);
    StudentModel model = StudentModel.create(spec, weights);
    Random random = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      float[] image = new float[spec.inputSize()];
      for (int i = 0; i < image.length; i++) {
        image[i] = random.nextInt(256);
      }
      float[] expected = reference(spec, weights, image);
      float[] actual = model.logits(StudentInput.ofVector(image));
      assertEquals(3, actual.length);
      for (int c = 0; c < 3; c++) {
        assertEquals(expected[c], actual[c], 1e-4f * Math.max(1f, Math.abs(expected[c])));
      }
    }
  }

  @Test
  void shouldServeInt8WeightsAsTheirDequantizedFloats() {
    ConvSpec spec = StudentFixtures.tinyCnn();
    QuantizedWeights int8 = QuantizedWeights.quantize(StudentFixtures.randomWeights(spec, 11, 0.5f));
    float[] image = new float[spec.inputSize()];
    java.util.Arrays.fill(image, 200f);
    assertArrayEquals(StudentModel.create(spec, int8.dequantize()).logits(StudentInput.ofVector(image)),
        StudentModel.create(spec, int8).logits(StudentInput.ofVector(image)));
  }

  @Test
  void shouldRoundTripThroughJsonAndNameItsParameters() {
    ConvSpec spec = StudentFixtures.tinyCnn();
    assertEquals(spec, StudentSpec.fromJson(spec.toJson()));
    assertEquals(List.of("conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias", "dense0.weight", "dense0.bias",
        "dense1.weight", "dense1.bias"), List.copyOf(spec.parameterShapes().keySet()));
    assertArrayEquals(new int[] {3, 2, 3, 3}, spec.parameterShapes().get("conv1.weight"));
    // 7x6 -> 3x3 -> 1x1, three maps
    assertEquals(3, spec.flattened());
    assertArrayEquals(new int[] {4, 3}, spec.parameterShapes().get("dense0.weight"));
  }

  @Test
  void shouldRefuseBadSpecsAndInputsWithTheReason() {
    assertMessage(() -> new ConvSpec(List.of("a", "b"), 1, 4, 4, List.of(8, 8, 8), List.of(), 0f, 1f),
        "3 convolution blocks halve an image of 4x4 to nothing: at most 2");
    assertMessage(() -> new ConvSpec(List.of("a", "b"), 3, 5000, 32, List.of(8), List.of(), 0f, 1f),
        "an image has 1 to 16 channels and 1 to 4096 rows and columns, got 3x5000x32");
    assertMessage(() -> new ConvSpec(List.of("a", "b"), 3, 4096, 4096, List.of(1024), List.of(), 0f, 1f),
        "the first convolution's 1024 maps of 4096x4096 are too large to hold");
    assertMessage(() -> new ConvSpec(List.of("a", "b"), 1, 4, 4, List.of(), List.of(), 0f, 1f),
        "at least one convolution");
    assertMessage(() -> new ConvSpec(List.of("a", "b"), 1, 4, 4, List.of(2), List.of(), 0f, 0f),
        "inputScale positive");
    assertMessage(() -> StudentSpec.fromJson("{\"kind\":\"cnn\",\"classes\":[\"a\",\"b\"],\"channels\":1,"
        + "\"rows\":4,\"cols\":4,\"filters\":[2],\"hidden\":[],\"inputShift\":0}"),
        "'inputScale' must be a number");
    StudentModel model = StudentModel.create(StudentFixtures.tinyCnn(),
        StudentFixtures.randomWeights(StudentFixtures.tinyCnn(), 1, 1f));
    float[] tooShort = new float[10];
    var wrongWidth = assertThrows(InputMismatchException.class, () -> model.logits(StudentInput.ofVector(tooShort)));
    assertTrue(wrongWidth.getMessage().contains("reads 126"), wrongWidth.getMessage());
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable bad, String expected) {
    var e = assertThrows(IllegalArgumentException.class, bad);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** Convolution, ReLU, pooling and the MLP as the definitions say, with an explicitly padded image. */
  static float[] reference(ConvSpec spec, StudentWeights weights, float[] image) {
    int channels = spec.channels();
    int rows = spec.rows();
    int cols = spec.cols();
    double[][][] x = new double[channels][rows][cols];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < rows; y++) {
        for (int v = 0; v < cols; v++) {
          x[c][y][v] = (image[(c * rows + y) * cols + v] - spec.inputShift()) * spec.inputScale();
        }
      }
    }
    for (int block = 0; block < spec.filters().size(); block++) {
      float[] w = weights.get(ConvSpec.weightName(block)).values();
      float[] b = weights.get(ConvSpec.biasName(block)).values();
      int filters = spec.filters().get(block);
      double[][][] padded = new double[channels][rows + 2][cols + 2];
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < rows; y++) {
          System.arraycopy(x[c][y], 0, padded[c][y + 1], 1, cols);
        }
      }
      double[][][] convolved = new double[filters][rows][cols];
      for (int o = 0; o < filters; o++) {
        for (int y = 0; y < rows; y++) {
          for (int v = 0; v < cols; v++) {
            double sum = b[o];
            for (int c = 0; c < channels; c++) {
              for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                  sum += w[((o * channels + c) * 3 + ky) * 3 + kx] * padded[c][y + ky][v + kx];
                }
              }
            }
            convolved[o][y][v] = Math.max(0, sum);
          }
        }
      }
      rows /= 2;
      cols /= 2;
      x = new double[filters][rows][cols];
      for (int o = 0; o < filters; o++) {
        for (int y = 0; y < rows; y++) {
          for (int v = 0; v < cols; v++) {
            x[o][y][v] = Math.max(Math.max(convolved[o][2 * y][2 * v], convolved[o][2 * y][2 * v + 1]),
                Math.max(convolved[o][2 * y + 1][2 * v], convolved[o][2 * y + 1][2 * v + 1]));
          }
        }
      }
      channels = filters;
    }
    double[] h = new double[channels * rows * cols];
    int i = 0;
    for (double[][] map : x) {
      for (double[] row : map) {
        for (double value : row) {
          h[i++] = value;
        }
      }
    }
    int[] widths = spec.head().widths();
    for (int layer = 0; layer + 1 < widths.length; layer++) {
      float[] w = weights.get(MlpSpec.weightName(layer)).values();
      float[] b = weights.get(MlpSpec.biasName(layer)).values();
      double[] out = new double[widths[layer + 1]];
      for (int o = 0; o < out.length; o++) {
        double sum = b[o];
        for (int in = 0; in < h.length; in++) {
          sum += w[o * h.length + in] * h[in];
        }
        out[o] = layer + 2 < widths.length ? Math.max(0, sum) : sum;
      }
      h = out;
    }
    float[] logits = new float[h.length];
    for (int c = 0; c < h.length; c++) {
      logits[c] = (float) h[c];
    }
    return logits;
  }
}
