package io.streamdistill.teacher.generic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherLoader;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every generic loader must do, run against a real model file of its format (the tiny network
 * of {@link TinyModels}), loaded by the real engine.
 */
abstract class VectorLoaderContract {
  private static final float TOLERANCE = 1e-5f;

  @TempDir
  Path dir;

  abstract TeacherLoader loader();

  abstract String fileName();

  abstract byte[] model(boolean withEmbedding);

  @Test
  void shouldReturnTheLogitsAndEmbeddingOfTheModelForABatch() throws IOException {
    try (Teacher teacher = load(model(true), TinyModels.IN, TinyModels.HIDDEN, Map.of());
        TeacherPredictor predictor = teacher.newPredictor()) {
      List<Prediction> predictions = predictor.predict(inputs());

      assertEquals(TinyModels.inputs().size(), predictions.size());
      for (int i = 0; i < predictions.size(); i++) {
        float[][] expected = TinyModels.expected(TinyModels.inputs().get(i));
        assertArrayEquals(expected[0], predictions.get(i).logits(), TOLERANCE, "logits of input " + i);
        assertArrayEquals(expected[1], predictions.get(i).embedding(), TOLERANCE, "embedding of input " + i);
      }
    }
  }

  @Test
  void shouldReturnOnlyLogitsWhenTeacherJsonDeclaresNoEmbedding() throws IOException {
    try (Teacher teacher = load(model(false), TinyModels.IN, 0, Map.of());
        TeacherPredictor predictor = teacher.newPredictor()) {
      Prediction prediction = predictor.predict(inputs()).get(0);

      assertArrayEquals(TinyModels.expected(TinyModels.inputs().get(0))[0], prediction.logits(), TOLERANCE);
      assertNull(prediction.embedding());
    }
  }

  @Test
  void shouldAnswerTheSameBatchedAsOneByOne() throws IOException {
    try (Teacher teacher = load(model(true), TinyModels.IN, TinyModels.HIDDEN, Map.of());
        TeacherPredictor predictor = teacher.newPredictor()) {
      List<Prediction> batched = predictor.predict(inputs());
      for (int i = 0; i < batched.size(); i++) {
        Prediction single = predictor.predict(List.of(inputs().get(i))).get(0);
        assertArrayEquals(single.logits(), batched.get(i).logits(), TOLERANCE);
        assertArrayEquals(single.embedding(), batched.get(i).embedding(), TOLERANCE);
      }
    }
  }

  @Test
  void shouldAnswerAnEmptyBatchWithNoPredictions() throws IOException {
    try (Teacher teacher = load(model(true), TinyModels.IN, TinyModels.HIDDEN, Map.of());
        TeacherPredictor predictor = teacher.newPredictor()) {
      assertEquals(List.of(), predictor.predict(List.of()));
    }
  }

  @Test
  void shouldServeOnePredictorPerThreadFromOneModel() throws Exception {
    try (Teacher teacher = load(model(true), TinyModels.IN, TinyModels.HIDDEN, Map.of())) {
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          done.add(threads.submit(() -> {
            int checked = 0;
            try (TeacherPredictor predictor = teacher.newPredictor()) {
              for (int round = 0; round < 25; round++) {
                List<Prediction> predictions = predictor.predict(inputs());
                for (int i = 0; i < predictions.size(); i++) {
                  assertArrayEquals(TinyModels.expected(TinyModels.inputs().get(i))[0], predictions.get(i).logits(),
                      TOLERANCE);
                  checked++;
                }
              }
            }
            return checked;
          }));
        }
        for (Future<Integer> result : done) {
          assertEquals(25 * TinyModels.inputs().size(), result.get(60, TimeUnit.SECONDS));
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void shouldRefuseAnInputOfTheWrongWidthAndKeepServing() throws IOException {
    try (Teacher teacher = load(model(true), TinyModels.IN, TinyModels.HIDDEN, Map.of());
        TeacherPredictor predictor = teacher.newPredictor()) {
      TeacherException e = assertThrows(TeacherException.class,
          () -> predictor.predict(List.of(TeacherInput.ofVector(new float[] {1f, 2f}))));
      assertTrue(e.getMessage().contains("width 2"), e.getMessage());

      assertEquals(TinyModels.inputs().size(), predictor.predict(inputs()).size());
    }
  }

  @Test
  void shouldRefuseACorruptModelFileNamingIt() throws IOException {
    byte[] corrupt = model(true);
    // Cut the file in half: the format's own structure (zip directory, protobuf fields) breaks.
    byte[] half = java.util.Arrays.copyOf(corrupt, corrupt.length / 2);

    TeacherException e = assertThrows(TeacherException.class, () -> load(half, TinyModels.IN, TinyModels.HIDDEN,
        Map.of()));

    assertTrue(e.getMessage().contains(dir.resolve(fileName()).toString()), e.getMessage());
  }

  @Test
  void shouldRefuseAModelThatDoesNotTakeTheDeclaredWidth() throws IOException {
    TeacherException e = assertThrows(TeacherException.class,
        () -> load(model(true), TinyModels.IN + 1, TinyModels.HIDDEN, Map.of()));

    assertTrue(e.getMessage().contains(fileName()), e.getMessage());
    assertTrue(e.getMessage().contains("does not behave as its teacher.json says"), e.getMessage());
  }

  @Test
  void shouldRefuseAModelWithoutTheDeclaredEmbedding() throws IOException {
    TeacherException e = assertThrows(TeacherException.class,
        () -> load(model(false), TinyModels.IN, TinyModels.HIDDEN, Map.of()));

    assertTrue(e.getMessage().contains("embedding"), e.getMessage());
  }

  @Test
  void shouldRefuseAModelFileWhoseHashTeacherJsonDoesNotList() throws IOException {
    Files.write(dir.resolve("other" + fileName()), model(true));

    TeacherException e = assertThrows(TeacherException.class,
        () -> load(model(true), TinyModels.IN, TinyModels.HIDDEN, Map.of("file", "other" + fileName())));

    assertTrue(e.getMessage().contains("unverified"), e.getMessage());
  }

  @Test
  void shouldRefuseATextTeacher() throws IOException {
    Files.write(dir.resolve(fileName()), model(true));
    TeacherDescriptor text = new TeacherDescriptor("tiny", "v1", loader().kind(), List.of("a", "b"),
        TeacherDescriptor.TEXT, 0, 0, null, null, null);
    TeacherDirectory.write(dir, text, List.of(fileName()));

    assertThrows(TeacherException.class, () -> loader().load(dir, TeacherDirectory.read(dir)));
  }

  private Teacher load(byte[] model, int vectorWidth, int embeddingWidth, Map<String, String> options)
      throws IOException {
    Files.write(dir.resolve(fileName()), model);
    TeacherDescriptor descriptor = new TeacherDescriptor("tiny", "v1", loader().kind(), List.of("yes", "no"),
        TeacherDescriptor.VECTOR, vectorWidth, embeddingWidth, null, Map.of(), options);
    TeacherDirectory.write(dir, descriptor, List.of(fileName()));
    return loader().load(dir, TeacherDirectory.read(dir));
  }

  private static List<TeacherInput> inputs() {
    return TinyModels.inputs().stream().map(TeacherInput::ofVector).toList();
  }
}
