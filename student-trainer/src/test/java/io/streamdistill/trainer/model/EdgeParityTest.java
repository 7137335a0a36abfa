package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.FieldFeaturizer;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The edge runs the plain-Java {@link StudentModel}; the trainer trains the DJL {@link StudentBlock}.
 * On the same weights and inputs their probabilities must agree to 1e-5, for every kind.
 */
class EdgeParityTest {
  private static final List<String> TEXTS = List.of("Subject: cheap pills\n\nBuy now, limited offer!!!",
      "From: alice@example.org\nSubject: lunch?\n\nAre we still on for Tuesday at noon?", "", "!!!",
      "Subject: re: re: meeting notes\n\nAttached are the notes from the meeting on the quarterly numbers.");

  @Test
  void shouldGiveTheSameProbabilitiesAsTheEdgeForAnMlpAfterTraining() {
    MlpSpec spec = new MlpSpec(StudentFixtures.DIGITS, 784, List.of(32, 16));
    Random random = new Random(5);
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      float[] soft = Softmax.probabilities(
          new float[] {random.nextFloat(), 0, 0, 0, 0, 0, 0, 0, 0, random.nextFloat()}, 1);
      samples.add(new TrainingSample(StudentFixtures.randomVector(random, 784), null, TrainingSample.logitsOf(soft),
          Softmax.argMax(soft), -1, null));
    }
    assertParity(spec, samples, i -> StudentInput.ofVector(samples.get(i).vector()));
  }

  @Test
  void shouldGiveTheSameProbabilitiesAsTheEdgeForACnnAfterTraining() {
    // 3 planes of 7x6 (an odd row the pooling drops), 0-255 pixels taken to a unit scale by the spec.
    ConvSpec spec = StudentFixtures.tinyCnn();
    Random random = new Random(9);
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      float[] image = new float[spec.inputSize()];
      for (int j = 0; j < image.length; j++) {
        image[j] = random.nextInt(256);
      }
      float[] soft = i % 3 == 0 ? new float[] {0.8f, 0.1f, 0.1f} : new float[] {0.1f, 0.2f, 0.7f};
      samples.add(new TrainingSample(image, null, TrainingSample.logitsOf(soft), Softmax.argMax(soft), -1, null));
    }
    assertParity(spec, samples, i -> StudentInput.ofVector(samples.get(i).vector()));
  }

  @Test
  void shouldGiveTheSameProbabilitiesAsTheEdgeForAStructuredRecordStudentAfterTraining() {
    MlpSpec spec = StudentFixtures.tinyFieldsMlp();
    FieldFeaturizer featurizer = new FieldFeaturizer(spec.fields());
    Random random = new Random(7);
    String[] protos = {"tcp", "udp", "icmp", null};
    List<TrainingSample> samples = new ArrayList<>();
    List<Map<String, Object>> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Map<String, Object> record = new HashMap<>();
      record.put("bytes", i % 7 == 0 ? null : Math.exp(random.nextDouble() * 8));
      record.put("duration", random.nextGaussian() * 4 + 10);
      record.put("proto", protos[i % protos.length]);
      record.put("flag", i % 3 == 0 ? "SF" : "REJ");
      records.add(record);
      float[] soft = i % 2 == 0 ? new float[] {0.9f, 0.1f} : new float[] {0.3f, 0.7f};
      samples.add(new TrainingSample(featurizer.featurize(record), null, TrainingSample.logitsOf(soft),
          Softmax.argMax(soft), -1, null));
    }
    // The edge is given the record itself, and featurizes it with the spec's statistics.
    assertParity(spec, samples, i -> StudentInput.ofFields(records.get(i)));
  }

  @Test
  void shouldGiveTheSameProbabilitiesAsTheEdgeForAHashedNgramStudentAfterTraining() {
    NgramSpec tiny = StudentFixtures.tinyNgram();
    // The fixture's width, and the presets' 16, which the edge sums in an unrolled loop of its own.
    for (NgramSpec spec : List.of(tiny, new NgramSpec(tiny.classes(), tiny.featurizer(), 16))) {
      assertNgramParity(spec);
    }
  }

  private static void assertNgramParity(NgramSpec spec) {
    NgramFeaturizer featurizer = new NgramFeaturizer(spec.featurizer());
    List<TrainingSample> samples = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String text = TEXTS.get(i % TEXTS.size()) + " " + i;
      texts.add(text);
      float[] soft = i % 2 == 0 ? new float[] {0.9f, 0.1f} : new float[] {0.2f, 0.8f};
      samples.add(new TrainingSample(null, featurizer.features(text), TrainingSample.logitsOf(soft),
          Softmax.argMax(soft), -1, null));
    }
    assertParity(spec, samples, i -> StudentInput.ofText(texts.get(i)));
  }

  /** {@code input} gives the edge's input of sample {@code i}. */
  private static void assertParity(StudentSpec spec, List<TrainingSample> samples, IntFunction<StudentInput> input) {
    try (StudentLearner learner = new StudentLearner(spec, new DistillationLoss(2f, 0.5f), 0.01f, 1)) {
      for (int step = 0; step < 5; step++) {
        learner.trainStep(samples.subList(0, 20));
      }
      StudentWeights weights = StudentWeights.decode(learner.weights().encode());
      StudentModel edge = StudentModel.create(spec, weights);
      float[] djlLogits = learner.logits(samples);
      // The confidences a version is calibrated with (the cascade's threshold) are the edge's top probabilities.
      Predictions predicted = learner.predict(samples, 7);
      int classes = spec.classes().size();
      for (int i = 0; i < samples.size(); i++) {
        float[] row = new float[classes];
        System.arraycopy(djlLogits, i * classes, row, 0, classes);
        float[] djl = Softmax.probabilities(row, 1f);
        float[] plain = edge.probabilities(input.apply(i));
        for (int c = 0; c < classes; c++) {
          assertEquals(djl[c], plain[c], 1e-5, "sample " + i + " class " + c);
        }
        int best = Softmax.argMax(plain);
        assertEquals(plain[best], predicted.confidences()[i], 1e-5, "sample " + i + " confidence");
        assertEquals(plain[best], plain[predicted.classes()[i]], 1e-5, "sample " + i + " class");
      }
    }
  }
}
