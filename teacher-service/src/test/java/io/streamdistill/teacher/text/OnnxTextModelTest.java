package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX text model as an encoder, on the real (bundled) MiniLM models: shape, meaning, batching, cutting. */
class OnnxTextModelTest {
  private static final String LONG_MAIL = "From: someone@example.com\nSubject: quarterly report\n\n"
      + "Please find the figures for the last quarter below. ".repeat(80);
  private static final List<String> MIXED_LENGTHS = List.of(
      "Hi",
      "Cheap meds online, no prescription needed, order today and save 80%!!!",
      "Can we move tomorrow's design review to 3pm? The room is booked until then.",
      "",
      LONG_MAIL);

  @TempDir
  static Path dir;
  private static OnnxTextModel encoder;
  private static OnnxTextModel.Session session;

  @BeforeAll
  static void load() {
    encoder = EncoderFiles.copyBundledTo(dir.resolve("q")).open(OnnxTextModel.DEFAULT_MAX_LENGTH);
    session = encoder.newSession();
  }

  @AfterAll
  static void close() {
    session.close();
    encoder.close();
  }

  @Test
  void shouldGiveUnitLength384DimensionalEmbeddings() {
    float[][] embeddings = session.embed(MIXED_LENGTHS);
    assertEquals(MIXED_LENGTHS.size(), embeddings.length);
    for (float[] embedding : embeddings) {
      assertEquals(384, embedding.length);
      assertEquals(1.0, norm(embedding), 1e-5);
    }
  }

  @Test
  void shouldPlaceSimilarSentencesCloserThanUnrelatedOnes() {
    float[][] e = session.embed(List.of(
        "The cat is sleeping on the sofa.",
        "A kitten naps on the couch.",
        "Interest rates were raised by the central bank.",
        "You have WON a free iPhone! Click here to claim your prize now.",
        "Congratulations, you are our lucky winner, claim your reward today!"));
    assertTrue(cosine(e[0], e[1]) > cosine(e[0], e[2]) + 0.3, "cat/kitten vs cat/bank");
    assertTrue(cosine(e[3], e[4]) > cosine(e[3], e[2]) + 0.3, "prize/winner vs prize/bank");
    assertTrue(cosine(e[0], e[1]) > 0.5, "paraphrases are close: " + cosine(e[0], e[1]));
  }

  /**
   * Padding must not change a text's embedding. Proven on the fp32 MiniLM: the int8 model computes
   * its activation scales over the whole batch (dynamic quantization), so there a text's embedding
   * moves a little with its batch mates and padding, whatever the code around it does.
   */
  @Test
  void shouldGiveTheSameEmbeddingsInABatchAsOneByOne() throws IOException {
    Path fp32 = Files.createDirectories(dir.resolve("fp32"));
    copy("/all-minilm-l6-v2.onnx", fp32.resolve(EncoderFiles.MODEL_FILE));
    copy("/all-minilm-l6-v2-tokenizer.json", fp32.resolve(EncoderFiles.TOKENIZER_FILE));
    try (OnnxTextModel exact = EncoderFiles.in(fp32).open(OnnxTextModel.DEFAULT_MAX_LENGTH);
        OnnxTextModel.Session fp32Session = exact.newSession()) {
      float[][] batch = fp32Session.embed(MIXED_LENGTHS);
      for (int i = 0; i < MIXED_LENGTHS.size(); i++) {
        float[] single = fp32Session.embed(List.of(MIXED_LENGTHS.get(i)))[0];
        assertArrayEquals(single, batch[i], 1e-4f, "text " + i);
      }
    }
  }

  @Test
  void shouldKeepQuantizedEmbeddingsCloseToOneByOneInABatch() {
    float[][] batch = session.embed(MIXED_LENGTHS);
    for (int i = 0; i < MIXED_LENGTHS.size(); i++) {
      float[] single = session.embed(List.of(MIXED_LENGTHS.get(i)))[0];
      // The int8 activation scales depend on the batch (see above). Measured on the 1,778 test-split
      // mails in batches of 32: cosine 0.993 on average, 0.972 at worst; "Hi" padded to 256: 0.980.
      assertTrue(cosine(single, batch[i]) > 0.96, "text " + i + ": cosine " + cosine(single, batch[i]));
    }
  }

  @Test
  void shouldGiveTheSameEmbeddingForTheSameBatchEveryTime() {
    assertArrayEquals(session.embed(MIXED_LENGTHS), session.embed(MIXED_LENGTHS));
  }

  @Test
  void shouldIgnorePaddedPositionsWhenPooling() {
    int width = 384;
    // Two texts of 2 and 3 tokens, padded to 3; the padded position holds garbage.
    long[] mask = {1, 1, 0, 1, 1, 1};
    float[] hidden = new float[2 * 3 * width];
    for (int d = 0; d < width; d++) {
      hidden[d] = 1;
      hidden[width + d] = 3;
      hidden[2 * width + d] = 1000 * (d % 7 - 3);
      hidden[3 * width + d] = d;
      hidden[4 * width + d] = d;
      hidden[5 * width + d] = d;
    }
    OnnxTextModel.TokenBatch batch =
        new OnnxTextModel.TokenBatch(2, 3, new long[6], mask, new long[6], new int[] {2, 3});
    float[][] pooled = TextOutputs.pool(hidden, batch, width, OnnxTextModel.Pooling.MEAN, true);
    float expected = (float) (1 / Math.sqrt(width)); // the mean (2, 2, ..., 2), normalised
    for (int d = 0; d < width; d++) {
      assertEquals(expected, pooled[0][d], 1e-7);
    }
    assertEquals(1.0, norm(pooled[1]), 1e-6);
  }

  @Test
  void shouldCutTextsToMaxTokensAndPadToTheLongestInTheBatch() {
    OnnxTextModel.TokenBatch tokens = encoder.tokenize(List.of("Hi", LONG_MAIL));
    assertEquals(OnnxTextModel.DEFAULT_MAX_LENGTH, tokens.length());
    assertEquals(3, tokens.lengths()[0], "[CLS] hi [SEP]");
    assertEquals(OnnxTextModel.DEFAULT_MAX_LENGTH, tokens.lengths()[1]);
    int length = tokens.length();
    assertEquals(101, tokens.ids()[0], "[CLS]");
    assertEquals(102, tokens.ids()[2], "[SEP]");
    assertEquals(0, tokens.ids()[3], "[PAD]");
    assertEquals(0, tokens.mask()[3]);
    assertEquals(102, tokens.ids()[length + length - 1], "a cut text still ends with [SEP]");
    assertEquals(1, tokens.mask()[length + length - 1]);
  }

  @Test
  void shouldGiveNoEmbeddingsForAnEmptyBatch() {
    assertEquals(0, session.embed(List.of()).length);
  }

  @Test
  void shouldRefuseATokenCutTheModelCannotTake() {
    EncoderFiles files = EncoderFiles.in(dir.resolve("q"));
    assertThrows(IllegalArgumentException.class, () -> files.open(513));
    assertThrows(IllegalArgumentException.class, () -> files.open(1));
  }

  private static void copy(String resource, Path target) throws IOException {
    try (InputStream in = OnnxTextModelTest.class.getResourceAsStream(resource)) {
      assertTrue(in != null, resource + " is on the test class path");
      Files.copy(in, target);
    }
  }

  static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    return Math.sqrt(sum);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot / (norm(a) * norm(b));
  }
}
