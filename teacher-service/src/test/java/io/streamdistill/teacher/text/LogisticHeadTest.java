package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head's arithmetic and its file format. */
class LogisticHeadTest {
  private static final LogisticHead HEAD =
      new LogisticHead(2, 3, new float[] {1, 2, 3, -1, 0.5f, 0}, new float[] {0.25f, -2});

  @TempDir
  Path dir;

  @Test
  void shouldComputeOneLogitPerClass() {
    assertArrayEquals(new float[] {1 + 4 + 9 + 0.25f, -1 + 1 - 2}, HEAD.logits(new float[] {1, 2, 3}));
    assertEquals(0, HEAD.predict(new float[] {1, 2, 3}));
    assertEquals(1, HEAD.predict(new float[] {-2, 0, 0}));
  }

  @Test
  void shouldReadBackExactlyWhatItWrote() {
    Path file = dir.resolve(LogisticHead.FILE_NAME);
    HEAD.write(file);
    LogisticHead read = LogisticHead.read(file);
    assertEquals(2, read.classes());
    assertEquals(3, read.width());
    float[] x = {0.3f, -0.7f, 0.1f};
    assertArrayEquals(HEAD.logits(x), read.logits(x));
  }

  @Test
  void shouldRefuseAFileCutShort() throws IOException {
    Path file = dir.resolve(LogisticHead.FILE_NAME);
    HEAD.write(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));
    TeacherException e = assertThrows(TeacherException.class, () -> LogisticHead.read(file));
    assertTrue(e.getMessage().contains("cut short"), e.getMessage());
  }

  @Test
  void shouldRefuseAFileThatIsNotAHead() throws IOException {
    Path file = dir.resolve("other.bin");
    Files.writeString(file, "this is not a head at all");
    TeacherException e = assertThrows(TeacherException.class, () -> LogisticHead.read(file));
    assertTrue(e.getMessage().contains("not a head"), e.getMessage());
  }

  @Test
  void shouldRefuseEmbeddingsOfTheWrongWidth() {
    assertThrows(IllegalArgumentException.class, () -> HEAD.logits(new float[4]));
  }

  @Test
  void shouldRefuseParametersThatAreNotFinite() {
    assertThrows(IllegalArgumentException.class,
        () -> new LogisticHead(2, 1, new float[] {Float.NaN, 0}, new float[] {0, 0}));
  }
}
