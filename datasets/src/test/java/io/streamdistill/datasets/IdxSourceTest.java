package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generic IDX reader on files the tests write: any shape, gzipped or not, labelled or not. */
class IdxSourceTest {
  @TempDir
  Path dir;

  // Three 2x3 images; every byte value that matters: 0, 1, 128, 254, 255.
  private static final byte[] PIXELS = {
      0, 1, (byte) 128, (byte) 254, (byte) 255, 7,
      (byte) 255, (byte) 255, 0, 0, 3, 4,
      9, 8, 7, 6, 5, 4};

  @Test
  void shouldReadPlainAndGzippedFilesBackExactly() throws IOException {
    for (boolean gzip : new boolean[] {false, true}) {
      String suffix = gzip ? ".gz" : "";
      Path images = writeIdx("images-idx3-ubyte" + suffix, 0x803, new int[] {3, 2, 3}, PIXELS, gzip);
      Path labels = writeIdx("labels-idx1-ubyte" + suffix, 0x801, new int[] {3}, new byte[] {7, 2, (byte) 200}, gzip);

      IdxSource source = IdxSource.read(images, labels);

      assertEquals("images-idx3-ubyte", source.name(), "named after the images file, without .gz");
      assertEquals(3, source.size());
      assertArrayEquals(new int[] {2, 3}, source.itemShape());
      for (int i = 0; i < 3; i++) {
        float[] expected = new float[6];
        for (int p = 0; p < 6; p++) {
          expected[p] = (PIXELS[i * 6 + p] & 0xff) / 255f;
        }
        assertArrayEquals(expected, source.get(i).vector(), "image " + i + (gzip ? " (gzipped)" : ""));
      }
      assertEquals(1f, source.get(0).vector()[4], "255 is exactly 1");
      assertEquals(List.of("7", "2", "200"), List.of(source.label(0), source.label(1), source.label(2)));
      assertEquals(List.of("2", "7", "200"), source.classes(), "in numeric order");
      assertEquals("images-idx3-ubyte-00002", source.get(2).id());
      assertEquals("7", source.get(0).label());
      assertNull(source.get(0).text());
    }
  }

  @Test
  void shouldReadUnlabelledImagesOfAnyShape() throws IOException {
    // A 4-dimensional file: 2 items of 2x2x2 (e.g. two-channel images).
    Path images = writeIdx("cubes", 0x804, new int[] {2, 2, 2, 2}, new byte[16], false);
    IdxSource source = IdxSource.read("cubes", images, null);
    assertEquals(8, source.get(1).vector().length);
    assertNull(source.label(1));
    assertEquals(List.of(), source.classes());
    assertTrue(IdxSource.looksLikeIdx(images));
    assertFalse(IdxSource.looksLikeIdx(Files.writeString(dir.resolve("a.csv"), "a,b\n1,2\n")));
  }

  @Test
  void shouldRefuseImagesAndLabelsOfDifferentCounts() throws IOException {
    Path images = writeIdx("images", 0x803, new int[] {3, 2, 3}, PIXELS, false);
    Path labels = writeIdx("labels.gz", 0x801, new int[] {2}, new byte[] {1, 2}, true);
    DatasetException e = assertThrows(DatasetException.class, () -> IdxSource.read(images, labels));
    assertTrue(e.getMessage().contains("labels.gz has 2 labels but"), e.getMessage());
    assertTrue(e.getMessage().contains("images has 3 images; give the labels file of the same set"), e.getMessage());
  }

  @Test
  void shouldSayWhichFileIsWhichWhenTheyAreSwapped() throws IOException {
    Path images = writeIdx("images", 0x803, new int[] {3, 2, 3}, PIXELS, false);
    Path labels = writeIdx("labels", 0x801, new int[] {3}, new byte[] {1, 2, 3}, false);
    DatasetException e = assertThrows(DatasetException.class, () -> IdxSource.read(labels, images));
    assertTrue(e.getMessage().contains("labels is not an IDX file of unsigned bytes images: magic number 0x00000801"),
        e.getMessage());
    assertTrue(e.getMessage().contains("this looks like a labels file"), e.getMessage());
  }

  @Test
  void shouldNameAFileThatIsNotIdxOrIsTruncated() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.txt"), "hello world\n");
    DatasetException notIdx = assertThrows(DatasetException.class, () -> IdxSource.read(text, null));
    assertTrue(notIdx.getMessage().contains("notes.txt is not an IDX file"), notIdx.getMessage());

    Path floats = writeIdx("floats", 0xD03, new int[] {1, 1, 1}, new byte[4], false);
    DatasetException wrongType = assertThrows(DatasetException.class, () -> IdxSource.read(floats, null));
    assertTrue(wrongType.getMessage().contains("only IDX files of unsigned bytes (type 0x08) are read"),
        wrongType.getMessage());

    Path truncated = writeIdx("short.gz", 0x803, new int[] {3, 2, 3}, new byte[17], true);
    DatasetException cut = assertThrows(DatasetException.class, () -> IdxSource.read(truncated, null));
    assertTrue(cut.getMessage().contains("short.gz is truncated"), cut.getMessage());
    assertTrue(cut.getMessage().contains("18 bytes of data, it has 17"), cut.getMessage());

    DatasetException missing = assertThrows(DatasetException.class,
        () -> IdxSource.read(writeIdx("i", 0x803, new int[] {3, 2, 3}, PIXELS, false), dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("labels file " + dir.resolve("nope") + " does not exist"),
        missing.getMessage());
  }

  private Path writeIdx(String name, int magic, int[] dims, byte[] data, boolean gzip) throws IOException {
    return TestDatasets.writeIdx(dir.resolve(name), magic, dims, data, gzip);
  }
}
