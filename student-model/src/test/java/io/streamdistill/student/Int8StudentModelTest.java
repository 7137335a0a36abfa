package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class Int8StudentModelTest {
  private static final int INPUTS = 1_000;

  @Test
  void shouldComputeAnInt8MlpByHand() {
    // The network of StudentModelTest. Each row's largest magnitude becomes code 127; 0.5 in the row
    // [2, 0.5] (step 2/127) becomes code round(31.75) = 32, that is 64/127.
    MlpSpec spec = new MlpSpec(List.of("a", "b"), 2, List.of(2));
    StudentWeights weights = new StudentWeights()
        .put("dense0.weight", new int[] {2, 2}, new float[] {1, -1, 2, 0.5f})
        .put("dense0.bias", new int[] {2}, new float[] {0, -1})
        .put("dense1.weight", new int[] {2, 2}, new float[] {1, 1, -1, 2})
        .put("dense1.bias", new int[] {2}, new float[] {0.5f, 0});
    QuantizedWeights quantized = QuantizedWeights.quantize(weights);
    assertArrayEquals(new byte[] {127, -127, 127, 32}, quantized.int8("dense0.weight").values());
    StudentModel model = StudentModel.create(spec, quantized);
    // x = [1, 3] has no negative value: codes [85, 255], step 3/255, both exact. Row 0: 127 * (85 - 255)
    // * (1/127 * 3/255) = -2, ReLU 0. Row 1: (127 * 85 + 32 * 255) * (2/127 * 3/255) - 1 = 1 + 192/127.
    // Layer 2 sees [0, h1]: codes [0, 255], so z = [h1 + 0.5, 2 * h1] up to float rounding (the float
    // model gives [3, 5]; the difference is the weight 0.5 stored as 64/127).
    float h1 = 1f + 192f / 127;
    assertArrayEquals(new float[] {h1 + 0.5f, 2 * h1}, model.logits(StudentInput.ofVector(new float[] {1, 3})), 1e-5f);
    assertArrayEquals(new float[] {0.5f, 0f}, model.logits(StudentInput.ofVector(new float[2])), 0f,
        "a zero input has step 0: the biases alone, through ReLU");
  }

  @Test
  void shouldComputeTheMlpLogitsOfItsDequantizedWeights() {
    assertCloseToDequantized(StudentFixtures.tinyMlp(), 0.1f, false);
    assertCloseToDequantized(new MlpSpec(StudentFixtures.DIGITS, 784, List.of(64)), 0.05f, false);
    // Widths that are not multiples of 4 (the packing pads them), and inputs with negative values.
    assertCloseToDequantized(new MlpSpec(List.of("a", "b", "c"), 37, List.of(13, 6)), 0.3f, true);
  }

  @Test
  void shouldComputeTheNgramLogitsOfItsDequantizedWeightsFromFloatRows() {
    for (int dim : new int[] {16, 5}) {
      NgramSpec spec = new NgramSpec(List.of("a", "b", "c"), new NgramFeaturizer.Settings(1 << 10, 2, 3, 4, true, 100),
          dim);
      QuantizedWeights quantized = QuantizedWeights.quantize(StudentFixtures.randomWeights(spec, 5, 0.1f));
      assertCloseToDequantized(spec, quantized, StudentModel.create(spec, quantized));
    }
  }

  @Test
  void shouldComputeTheNgramLogitsOfItsDequantizedWeightsFromInt8Rows() {
    // A table above the bound on float rows: summed from its int8 rows, with 16 columns (the unrolled sums)
    // and with 5 (the general loop).
    for (int dim : new int[] {16, 5}) {
      NgramSpec spec = new NgramSpec(List.of("a", "b", "c"), new NgramFeaturizer.Settings(1 << 10, 2, 3, 4, true, 100),
          dim);
      QuantizedWeights quantized = QuantizedWeights.quantize(StudentFixtures.randomWeights(spec, 6, 0.1f));
      assertCloseToDequantized(spec, quantized, new Int8NgramStudent(spec, quantized, 0));
    }
  }

  private static void assertCloseToDequantized(NgramSpec spec, QuantizedWeights quantized, StudentModel int8) {
    StudentModel reference = StudentModel.create(spec, quantized.dequantize());
    Random random = new Random(9);
    int agree = 0;
    for (int k = 0; k < INPUTS; k++) {
      StudentInput text = StudentInput.ofText(randomText(random));
      float[] expected = reference.logits(text);
      float[] actual = int8.logits(text);
      for (int c = 0; c < expected.length; c++) {
        // The same h up to the order of its sums (q * scale rounded alike in both, or an fma on int8 rows); the
        // output row's scale is applied after the sum rather than to each term: a few float roundings.
        assertEquals(expected[c], actual[c], 1e-5f * (1 + Math.abs(expected[c])), "text " + k + ", class " + c);
      }
      agree += Softmax.argMax(expected) == Softmax.argMax(actual) ? 1 : 0;
    }
    assertTrue(agree >= 0.99 * INPUTS, agree + " of " + INPUTS + " agree");
    assertArrayEquals(quantized.float32(NgramSpec.OUTPUT_BIAS).values(), int8.logits(StudentInput.ofText("!!!")), 0f,
        "no n-gram: bias only");
  }

  @Test
  void shouldGiveTheSameLogitsFromManyThreads() throws Exception {
    MlpSpec spec = new MlpSpec(StudentFixtures.DIGITS, 784, List.of(64));
    StudentModel model = StudentModel.create(spec,
        QuantizedWeights.quantize(StudentFixtures.randomWeights(spec, 4, 0.05f)));
    List<float[]> inputs = new ArrayList<>();
    Random random = new Random(2);
    for (int k = 0; k < 200; k++) {
      inputs.add(StudentFixtures.randomVector(random, 784));
    }
    List<float[]> expected = inputs.stream().map(x -> model.logits(StudentInput.ofVector(x))).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(pool.submit(() -> {
          for (int round = 0; round < 5; round++) {
            for (int k = 0; k < inputs.size(); k++) {
              assertArrayEquals(expected.get(k), model.logits(StudentInput.ofVector(inputs.get(k))), 0f);
            }
          }
        }));
      }
      for (Future<?> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldRefuseInputsAndWeightsThatDoNotFit() {
    MlpSpec spec = StudentFixtures.tinyMlp();
    StudentModel mlp = StudentModel.create(spec,
        QuantizedWeights.quantize(StudentFixtures.randomWeights(spec, 2, 0.1f)));
    var wrongWidth = assertThrows(InputMismatchException.class, () -> mlp.logits(StudentInput.ofVector(new float[3])));
    assertTrue(wrongWidth.getMessage().contains("3 values"), wrongWidth.getMessage());
    float[] infinite = new float[784];
    infinite[5] = Float.POSITIVE_INFINITY;
    assertThrows(InputMismatchException.class, () -> mlp.logits(StudentInput.ofVector(infinite)));
    assertThrows(InputMismatchException.class, () -> mlp.logits(StudentInput.ofText("a text")));
    QuantizedWeights ngramWeights =
        QuantizedWeights.quantize(StudentFixtures.randomWeights(StudentFixtures.tinyNgram(), 2, 0.1f));
    var wrongSpec = assertThrows(IllegalArgumentException.class, () -> StudentModel.create(spec, ngramWeights));
    assertTrue(wrongSpec.getMessage().contains("embedding.weight"), wrongSpec.getMessage());
  }

  /**
   * Checks the int8 MLP against the float MLP on the dequantized weights, on random inputs: every
   * logit within the worst-case bound, the errors of the size that rounding to nearest gives (see
   * {@link #expectedError}), and the same class for at least 99% of inputs.
   */
  private static void assertCloseToDequantized(MlpSpec spec, float weightScale, boolean signedInputs) {
    QuantizedWeights quantized = QuantizedWeights.quantize(StudentFixtures.randomWeights(spec, 11, weightScale));
    StudentWeights dequantized = quantized.dequantize();
    StudentModel int8 = StudentModel.create(spec, quantized);
    StudentModel reference = StudentModel.create(spec, dequantized);
    Random random = new Random(5);
    int agree = 0;
    double squares = 0;
    int logits = 0;
    for (int k = 0; k < INPUTS; k++) {
      float[] x = StudentFixtures.randomVector(random, spec.inputSize());
      if (signedInputs) {
        for (int i = 0; i < x.length; i++) {
          x[i] = 2 * x[i] - 1;
        }
      }
      float[] expected = reference.logits(StudentInput.ofVector(x));
      float[] actual = int8.logits(StudentInput.ofVector(x));
      ExpectedError error = expectedError(spec, dequantized, x);
      for (int c = 0; c < expected.length; c++) {
        double difference = Math.abs(expected[c] - actual[c]);
        assertTrue(difference <= error.bound()[c], spec.widths().length + "-layer MLP, input " + k + ", class " + c
            + ": int8 " + actual[c] + ", float " + expected[c] + ", bound " + error.bound()[c]);
        squares += (difference / error.sigma()[c]) * (difference / error.sigma()[c]);
        logits++;
      }
      agree += Softmax.argMax(expected) == Softmax.argMax(actual) ? 1 : 0;
    }
    // Errors in units of their standard deviation under rounding to nearest: at most about 1 (measured
    // 0.34 to 0.69 here: ReLU drops some errors, and the step is taken from max|x|). Truncating
    // instead adds a bias of half a step to every element, which sums coherently (measured 1.73 on
    // the 784-64-10 network); a step 2% off gives 5.4.
    double rms = Math.sqrt(squares / logits);
    assertTrue(rms < 1.3, "logit errors are " + rms + " standard deviations of rounding to nearest");
    assertTrue(agree >= 0.99 * INPUTS, agree + " of " + INPUTS + " agree on the class");
  }

  /** Per logit, the largest and the typical difference between the int8 and the float model. */
  private record ExpectedError(double[] bound, double[] sigma) {}

  /**
   * Both models use the same weights, so they differ only by the int8 model's rounding of
   * activations to a step of max|x| / levels (levels 127, or 255 when no value is negative, as for
   * every hidden layer after ReLU). Layer by layer, with the int8 model's input x' within e of the
   * float model's x (e = 0 for the input):
   *
   * <ul>
   *   <li>bound: x' is rounded with a step of at most (max|x| + max e) / levels, off by at most half
   *       of it; a row w then moves the output by at most sum |w_i| (e_i + step / 2), and ReLU does
   *       not widen a gap. Plus 1e-4 relative for the float model's own summation (784 terms at 6e-8
   *       each is under 5e-5). Rigorous, and loose: it has every error push the same way.
   *   <li>sigma: rounding to nearest leaves an error uniform on +-step/2, variance step^2 / 12,
   *       independent from element to element, so an output's variance is sum w_i^2 (v_i + step^2 / 12).
   * </ul>
   */
  private static ExpectedError expectedError(MlpSpec spec, StudentWeights weights, float[] input) {
    int[] widths = spec.widths();
    double[] x = new double[input.length];
    boolean negative = false;
    for (int i = 0; i < x.length; i++) {
      x[i] = input[i];
      negative |= input[i] < 0;
    }
    double[] e = new double[x.length];
    double[] v = new double[x.length];
    for (int layer = 0; layer + 1 < widths.length; layer++) {
      float[] w = weights.get(MlpSpec.weightName(layer)).values();
      float[] b = weights.get(MlpSpec.biasName(layer)).values();
      double maxX = 0;
      double maxE = 0;
      for (int i = 0; i < x.length; i++) {
        maxX = Math.max(maxX, Math.abs(x[i]));
        maxE = Math.max(maxE, e[i]);
      }
      int levels = layer == 0 && negative ? 127 : 255;
      double halfStep = (maxX + maxE) / levels / 2;
      double rounding = (maxX / levels) * (maxX / levels) / 12;
      int in = widths[layer];
      int out = widths[layer + 1];
      double[] y = new double[out];
      double[] ey = new double[out];
      double[] vy = new double[out];
      boolean last = layer + 2 == widths.length;
      for (int o = 0; o < out; o++) {
        double sum = b[o];
        double absolute = Math.abs(b[o]);
        for (int i = 0; i < in; i++) {
          double wi = w[o * in + i];
          sum += wi * x[i];
          absolute += Math.abs(wi * x[i]);
          ey[o] += Math.abs(wi) * (e[i] + halfStep);
          vy[o] += wi * wi * (v[i] + rounding);
        }
        ey[o] += 1e-4 * absolute;
        y[o] = last ? sum : Math.max(0, sum);
      }
      x = y;
      e = ey;
      v = vy;
    }
    double[] sigma = new double[v.length];
    for (int c = 0; c < v.length; c++) {
      sigma[c] = Math.sqrt(v[c]);
    }
    return new ExpectedError(e, sigma);
  }

  private static String randomText(Random random) {
    StringBuilder text = new StringBuilder();
    // At least one word: the featurizer refuses an empty text.
    int words = Math.max(1, random.nextInt(30));
    for (int w = 0; w < words; w++) {
      int length = 1 + random.nextInt(8);
      for (int i = 0; i < length; i++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
      text.append(random.nextInt(5) == 0 ? ", " : " ");
    }
    return text.toString();
  }
}
