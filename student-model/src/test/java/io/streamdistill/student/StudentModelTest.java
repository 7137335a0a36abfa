package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StudentModelTest {
  @Test
  void shouldComputeAnMlpByHand() {
    // 2 -> 2 -> 2: h = relu([[1, -1], [2, 0.5]] x + [0, -1]); z = [[1, 1], [-1, 2]] h + [0.5, 0]
    MlpSpec spec = new MlpSpec(List.of("a", "b"), 2, List.of(2));
    StudentWeights weights = new StudentWeights()
        .put("dense0.weight", new int[] {2, 2}, new float[] {1, -1, 2, 0.5f})
        .put("dense0.bias", new int[] {2}, new float[] {0, -1})
        .put("dense1.weight", new int[] {2, 2}, new float[] {1, 1, -1, 2})
        .put("dense1.bias", new int[] {2}, new float[] {0.5f, 0});
    StudentModel model = StudentModel.create(spec, weights);
    // x = [1, 3]: pre = [-2, 2.5] -> h = [0, 2.5]; z = [3, 5]
    assertArrayEquals(new float[] {3f, 5f}, model.logits(StudentInput.ofVector(new float[] {1, 3})), 1e-6f);
    float[] p = model.probabilities(StudentInput.ofVector(new float[] {1, 3}));
    assertEquals(1 / (1 + Math.exp(2)), p[0], 1e-6);
  }

  @Test
  void shouldAverageTheEmbeddingRowsOfTheTextsNgrams() {
    NgramSpec spec = new NgramSpec(List.of("ham", "spam"), new NgramFeaturizer.Settings(4, 1, 0, 0, true, 10), 2);
    NgramFeaturizer featurizer = new NgramFeaturizer(spec.featurizer());
    float[] embedding = {1, 0, 0, 1, 2, 2, -1, 3};
    StudentWeights weights = new StudentWeights()
        .put(NgramSpec.EMBEDDING, new int[] {4, 2}, embedding)
        .put(NgramSpec.OUTPUT_WEIGHT, new int[] {2, 2}, new float[] {1, 0, 0, 1})
        .put(NgramSpec.OUTPUT_BIAS, new int[] {2}, new float[] {0.25f, -0.25f});
    StudentModel model = StudentModel.create(spec, weights);
    int[] buckets = featurizer.features("spam spam eggs");
    float h0 = 0;
    float h1 = 0;
    for (int b : buckets) {
      h0 += embedding[2 * b];
      h1 += embedding[2 * b + 1];
    }
    assertArrayEquals(new float[] {h0 / 3 + 0.25f, h1 / 3 - 0.25f},
        model.logits(StudentInput.ofText("Spam spam, eggs")), 1e-6f);
    assertArrayEquals(new float[] {0.25f, -0.25f}, model.logits(StudentInput.ofText("!!!")), 0f,
        "no n-gram: bias only");
  }

  @Test
  void shouldRefuseInputsThatDoNotFit() {
    StudentModel mlp = StudentModel.create(StudentFixtures.tinyMlp(),
        StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 2, 0.1f));
    var wrongWidth = assertThrows(InputMismatchException.class, () -> mlp.logits(StudentInput.ofVector(new float[3])));
    assertTrue(wrongWidth.getMessage().contains("3 values"), wrongWidth.getMessage());
    float[] nan = new float[784];
    nan[5] = Float.NaN;
    assertThrows(InputMismatchException.class, () -> mlp.logits(StudentInput.ofVector(nan)));
    assertThrows(InputMismatchException.class, () -> mlp.logits(StudentInput.ofText("a text")));
    StudentModel text = StudentModel.create(StudentFixtures.tinyNgram(),
        StudentFixtures.randomWeights(StudentFixtures.tinyNgram(), 2, 0.1f));
    assertThrows(InputMismatchException.class, () -> text.logits(StudentInput.ofVector(new float[3])));
  }
}
