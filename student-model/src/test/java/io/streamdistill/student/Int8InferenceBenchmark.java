package io.streamdistill.student;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Microseconds per inference of the float MLP and the int8 MLP on one thread, for the edge's MNIST
 * student (784-64-10) and Hinton et al.'s (784-800-800-10), with the sizes of both weight formats;
 * and of the mail student (hashed n-grams, the default 2^16 x 16) on 2 KB mails, float and int8,
 * against its featurizer alone; and of the image cnn against an MLP on the same images. Run with
 * {@code ./distill benchmark student-model} (or this class's {@code main} on the test class path);
 * writes {@code target/benchmarks/int8-inference.json}, {@code ngram-inference.json} and {@code
 * cnn-inference.json}.
 *
 * <p>Not a test: it asserts nothing about speed; the figures are for people.
 */
class Int8InferenceBenchmark {
  private static final List<MlpSpec> NETWORKS = List.of(
      new MlpSpec(StudentFixtures.DIGITS, 784, List.of(64)),
      new MlpSpec(StudentFixtures.DIGITS, 784, List.of(800, 800)));
  // Rounds alternate float and int8, so that a slower moment of the machine hits both; the median
  // round is reported.
  private static final int ROUNDS = 9;
  private static final long ROUND_NANOS = 300_000_000L;

  public static void main(String[] args) throws Exception {
    new Int8InferenceBenchmark().measureFloatAgainstInt8Inference();
    new Int8InferenceBenchmark().measureTheMailStudentOnTwoKilobyteMails();
    new Int8InferenceBenchmark().measureTheImageCnnAgainstAnMlpOnTheSameImages();
  }

  /**
   * The cnn that {@code --student auto} picks for 32x32 colour images and for 28x28 gray ones, against the MLP it
   * picked before on the same vectors (3072-64-10 and 784-64-10), per image, one thread; writes {@code
   * target/benchmarks/cnn-inference.json}.
   */
  @Test
  void measureTheImageCnnAgainstAnMlpOnTheSameImages() throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int[] shape : new int[][] {{3, 32, 32}, {1, 28, 28}}) {
      ConvSpec cnn = new ConvSpec(StudentFixtures.DIGITS, shape[0], shape[1], shape[2], List.of(16, 32), List.of(64),
          127.5f, 1f / 64);
      MlpSpec mlp = new MlpSpec(StudentFixtures.DIGITS, cnn.inputSize(), List.of(64));
      StudentModel cnnModel = StudentModel.create(cnn, StudentFixtures.randomWeights(cnn, 1, 0.05f));
      StudentModel mlpModel = StudentModel.create(mlp, StudentFixtures.randomWeights(mlp, 1, 0.05f));
      Random random = new Random(7);
      StudentInput[] images = new StudentInput[32];
      for (int i = 0; i < images.length; i++) {
        float[] pixels = new float[cnn.inputSize()];
        for (int p = 0; p < pixels.length; p++) {
          pixels[p] = random.nextInt(256);
        }
        images[i] = StudentInput.ofVector(pixels);
      }
      for (int round = 0; round < 3; round++) {
        microsPerInference(cnnModel, images);
        microsPerInference(mlpModel, images);
      }
      double[] cnnMicros = new double[ROUNDS];
      double[] mlpMicros = new double[ROUNDS];
      for (int round = 0; round < ROUNDS; round++) {
        cnnMicros[round] = microsPerInference(cnnModel, images);
        mlpMicros[round] = microsPerInference(mlpModel, images);
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("image", shape[1] + "x" + shape[2] + "x" + shape[0]);
      row.put("cnn", "conv3x3x16-pool-conv3x3x32-pool-64-10, " + cnn.parameterCount() + " parameters");
      row.put("cnnMicros", median(cnnMicros));
      row.put("mlp", mlp.inputSize() + "-64-10, " + mlp.parameterCount() + " parameters");
      row.put("mlpMicros", median(mlpMicros));
      row.put("cnnOverMlp", median(cnnMicros) / median(mlpMicros));
      rows.add(row);
      System.out.printf("%nImages of %s, one thread, per image: cnn %.1f µs (%d parameters), MLP %.1f µs (%d): %.1fx%n",
          row.get("image"), median(cnnMicros), cnn.parameterCount(), median(mlpMicros), mlp.parameterCount(),
          median(cnnMicros) / median(mlpMicros));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "cnn-inference");
    report.put("rows", rows);
    Path out = Path.of("target", "benchmarks", "cnn-inference.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    System.out.println("Written to " + out.toAbsolutePath());
  }

  @Test
  void measureTheMailStudentOnTwoKilobyteMails() throws Exception {
    NgramSpec spec = new NgramSpec(List.of("ham", "spam"), NgramFeaturizer.Settings.defaults(), 16);
    StudentWeights weights = StudentFixtures.randomWeights(spec, 1, 0.05f);
    StudentModel floatModel = StudentModel.create(spec, weights);
    StudentModel int8Model = StudentModel.create(spec, QuantizedWeights.quantize(weights));
    NgramFeaturizer featurizer = new NgramFeaturizer(spec.featurizer());
    String[] words = ("the a to of and meeting project report attached please review regards thanks offer free"
        + " money click here unsubscribe limited time order now http www example com 2024 invoice").split(" ", -1);
    Random random = new Random(7);
    StudentInput[] mails = new StudentInput[64];
    for (int i = 0; i < mails.length; i++) {
      StringBuilder mail = new StringBuilder("Subject: Re: report\nFrom: someone@example.com\n\n");
      while (mail.length() < 2048) {
        mail.append(words[random.nextInt(words.length)]).append(random.nextInt(6) == 0 ? ", " : " ");
      }
      mails[i] = StudentInput.ofText(mail.substring(0, 2048));
    }
    StudentModel featurizingOnly = new StudentModel() {
      @Override
      public StudentSpec spec() {
        return spec;
      }

      @Override
      public float[] logits(StudentInput input) {
        return new float[] {featurizer.bucketsOf(input.text()).count()};
      }
    };
    for (int round = 0; round < 3; round++) {
      microsPerInference(featurizingOnly, mails);
      microsPerInference(floatModel, mails);
      microsPerInference(int8Model, mails);
    }
    double[] featurize = new double[ROUNDS];
    double[] floats = new double[ROUNDS];
    double[] int8 = new double[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      featurize[round] = microsPerInference(featurizingOnly, mails);
      floats[round] = microsPerInference(floatModel, mails);
      int8[round] = microsPerInference(int8Model, mails);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "ngram-inference");
    report.put("student", "hashed n-grams, " + spec.featurizer().buckets() + " x " + spec.embeddingDim());
    report.put("mailChars", 2048);
    report.put("features", featurizer.features(mails[0].text()).length);
    report.put("featurizeMicros", median(featurize));
    report.put("floatMicros", median(floats));
    report.put("int8Micros", median(int8));
    System.out.printf("%nMail student on 2 KB mails (%s features), one thread, mean per mail: featurizing %.1f µs,"
        + " float %.1f µs, int8 %.1f µs%n", report.get("features"), median(featurize), median(floats), median(int8));
    Path out = Path.of("target", "benchmarks", "ngram-inference.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    System.out.println("Written to " + out.toAbsolutePath());
  }

  @Test
  void measureFloatAgainstInt8Inference() throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (MlpSpec spec : NETWORKS) {
      rows.add(measure(spec));
    }
    System.out.println();
    System.out.println("MLP inference, one thread, " + Runtime.version() + " on " + System.getProperty("os.arch"));
    System.out.printf("%-18s %12s %12s %9s %12s %12s%n", "network", "float us", "int8 us", "speed-up", "f32 bytes",
        "int8 bytes");
    for (Map<String, Object> row : rows) {
      System.out.printf("%-18s %12.1f %12.1f %9.2f %12d %12d%n", row.get("network"),
          ((Number) row.get("floatMicros")).doubleValue(), ((Number) row.get("int8Micros")).doubleValue(),
          ((Number) row.get("speedUp")).doubleValue(), ((Number) row.get("f32Bytes")).longValue(),
          ((Number) row.get("int8Bytes")).longValue());
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "int8-inference");
    report.put("java", Runtime.version().toString());
    report.put("rows", rows);
    Path out = Path.of("target", "benchmarks", "int8-inference.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    System.out.println("Written to " + out.toAbsolutePath());
  }

  private static Map<String, Object> measure(MlpSpec spec) {
    StudentWeights weights = StudentFixtures.randomWeights(spec, 1, 0.05f);
    QuantizedWeights quantized = QuantizedWeights.quantize(weights);
    StudentModel floatModel = StudentModel.create(spec, weights);
    StudentModel int8Model = StudentModel.create(spec, quantized);
    Random random = new Random(7);
    StudentInput[] inputs = new StudentInput[64];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = StudentInput.ofVector(StudentFixtures.randomVector(random, spec.inputSize()));
    }
    // Warm-up: long enough for C2 to compile both forward passes.
    for (int round = 0; round < 3; round++) {
      microsPerInference(floatModel, inputs);
      microsPerInference(int8Model, inputs);
    }
    double[] floatMicros = new double[ROUNDS];
    double[] int8Micros = new double[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      floatMicros[round] = microsPerInference(floatModel, inputs);
      int8Micros[round] = microsPerInference(int8Model, inputs);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("network", Arrays.toString(spec.widths()).replace(", ", "-").replace("[", "").replace("]", ""));
    row.put("floatMicros", median(floatMicros));
    row.put("int8Micros", median(int8Micros));
    row.put("speedUp", median(floatMicros) / median(int8Micros));
    row.put("f32Bytes", weights.encode().length);
    row.put("int8Bytes", quantized.encode().length);
    return row;
  }

  private static double microsPerInference(StudentModel model, StudentInput[] inputs) {
    long start = System.nanoTime();
    long count = 0;
    float sink = 0f;
    while (System.nanoTime() - start < ROUND_NANOS) {
      for (StudentInput input : inputs) {
        sink += model.logits(input)[0];
      }
      count += inputs.length;
    }
    double micros = (System.nanoTime() - start) / 1e3 / count;
    if (sink == Float.MIN_VALUE) {
      System.out.print(""); // keeps the logits alive for the JIT
    }
    return micros;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
