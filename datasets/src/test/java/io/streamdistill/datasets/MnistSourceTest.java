package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MnistSourceTest {
  private static MnistSource train;
  private static MnistSource test;

  @BeforeAll
  static void readRealMnist() {
    DatasetCache cache = TestDatasets.cache();
    train = MnistSource.train(cache);
    test = MnistSource.test(cache);
  }

  @Test
  void shouldReadSixtyThousandTrainingAndTenThousandTestImages() {
    assertEquals(60_000, train.size());
    assertEquals(10_000, test.size());
    assertEquals("mnist-train", train.name());
    assertEquals("mnist-test", test.name());
  }

  @Test
  void shouldHaveTheCanonicalFirstLabels() {
    assertEquals(List.of("5", "0", "4", "1", "9"), firstLabels(train, 5));
    assertEquals(List.of("7", "2", "1", "0", "4"), firstLabels(test, 5));
    // get() and label() agree
    assertEquals("5", train.get(0).label());
    assertEquals("7", test.get(0).label());
  }

  @Test
  void shouldGiveEveryImageAs784PixelsInZeroToOne() {
    for (MnistSource source : List.of(train, test)) {
      for (int i = 0; i < source.size(); i++) {
        float[] vector = source.get(i).vector();
        assertEquals(784, vector.length);
        for (float pixel : vector) {
          if (!(pixel >= 0f && pixel <= 1f)) {
            throw new AssertionError(source.name() + " image " + i + " has pixel " + pixel);
          }
        }
      }
    }
  }

  @Test
  void shouldUseTheFullPixelRangeAndHaveEveryDigit() {
    float max = 0;
    int[] perDigit = new int[10];
    for (int i = 0; i < train.size(); i++) {
      for (float pixel : train.get(i).vector()) {
        max = Math.max(max, pixel);
      }
      perDigit[Integer.parseInt(train.label(i))]++;
    }
    assertEquals(1f, max, "255 maps to exactly 1");
    // The canonical training set: 5,923 zeros ... 5,949 nines.
    assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, perDigit);
  }

  @Test
  void shouldNameExamplesByIndexAndKeepSplitsApart() {
    Example example = train.get(42);
    assertEquals("mnist-train-00042", example.id());
    assertNull(example.text());
    assertEquals("mnist-test-09999", test.get(9_999).id());
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), train.classes());
    assertEquals(0, train.skipped().count());
    assertThrows(IndexOutOfBoundsException.class, () -> test.get(10_000));
  }

  @Test
  void shouldGiveEachCallItsOwnVector() {
    float[] first = train.get(0).vector();
    first[200] = 42f;
    assertTrue(train.get(0).vector()[200] <= 1f);
  }

  @Test
  void shouldGiveTheSameExamplesAsTheGenericIdxPathOnTheSameFiles(@TempDir Path dir) throws IOException {
    Path data = MnistSource.dataDirectory(TestDatasets.cache());
    for (MnistSource.Split split : MnistSource.Split.values()) {
      MnistSource preset = split == MnistSource.Split.TRAIN ? train : test;
      List<Path> files = MnistSource.files(data, split);
      // What a user types for their own copy: the images as the source, the labels beside them.
      ExampleSource generic = CommandLine.populateCommand(new SourceOptions(), "--idx-labels",
          files.get(1).toString(), "--source-name", preset.name()).open(files.get(0).toString());
      assertSameExamples(preset, generic, preset.name());
    }
    // A gzipped copy under another name is the same data set too.
    List<Path> files = MnistSource.files(data, MnistSource.Split.TEST);
    Path images = gzip(files.get(0), dir.resolve("digits-images.gz"));
    Path labels = gzip(files.get(1), dir.resolve("digits-labels.gz"));
    assertSameExamples(test, IdxSource.read("mnist-test", images, labels), "mnist-test");
    // Without a name, the ids are the file's name and the same indexes.
    IdxSource unnamed = IdxSource.read(images, labels);
    assertEquals("digits-images-09999", unnamed.get(9_999).id());
    assertArrayEquals(test.get(9_999).vector(), unnamed.get(9_999).vector());
  }

  private static void assertSameExamples(ExampleSource expected, ExampleSource actual, String name) {
    assertEquals(name, actual.name());
    assertEquals(expected.size(), actual.size());
    assertEquals(expected.classes(), actual.classes());
    for (int i = 0; i < expected.size(); i++) {
      Example a = expected.get(i);
      Example b = actual.get(i);
      assertEquals(a.id(), b.id());
      assertEquals(a.label(), b.label());
      assertNull(b.text());
      assertNull(b.fields());
      if (!java.util.Arrays.equals(a.vector(), b.vector())) {
        throw new AssertionError(name + " example " + i + ": the vectors differ");
      }
    }
  }

  private static Path gzip(Path from, Path to) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
      Files.copy(from, out);
    }
    return to;
  }

  // ------------------------------------------------------------ synthetic IDX files

  @Test
  void shouldReadGzippedIdxFiles(@TempDir Path dir) throws IOException {
    TestDatasets.writeIdx(dir.resolve("t10k-images-idx3-ubyte.gz"), 0x803, new int[] {2, 2, 2},
        new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4}, true);
    TestDatasets.writeIdx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 0x801, new int[] {2}, new byte[] {3, 9}, true);
    MnistSource source = MnistSource.fromDirectory(dir, MnistSource.Split.TEST);
    assertEquals(2, source.size());
    assertArrayEquals(new float[] {0f, 1f, 0.2f, 0.4f}, source.get(0).vector(), 1e-6f);
    assertEquals("9", source.label(1));
  }

  @Test
  void shouldNameTheFileWithAWrongMagicNumber(@TempDir Path dir) throws IOException {
    TestDatasets.writeIdx(dir.resolve("train-images-idx3-ubyte"), 0x801, new int[] {1, 1, 1}, new byte[] {0}, false);
    TestDatasets.writeIdx(dir.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {1}, new byte[] {0}, false);
    DatasetException e = assertThrows(DatasetException.class,
        () -> MnistSource.fromDirectory(dir, MnistSource.Split.TRAIN));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    assertTrue(e.getMessage().contains("magic number 0x00000801, expected 0x00000803"), e.getMessage());
  }

  @Test
  void shouldNameTheTruncatedFile(@TempDir Path dir) throws IOException {
    TestDatasets.writeIdx(dir.resolve("train-images-idx3-ubyte"), 0x803, new int[] {3, 2, 2}, new byte[10], false);
    TestDatasets.writeIdx(dir.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {3}, new byte[] {0, 1, 2}, false);
    DatasetException e = assertThrows(DatasetException.class,
        () -> MnistSource.fromDirectory(dir, MnistSource.Split.TRAIN));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte is truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("12 bytes of data, it has 10"), e.getMessage());
  }

  @Test
  void shouldRefuseImagesAndLabelsThatDisagree(@TempDir Path dir) throws IOException {
    TestDatasets.writeIdx(dir.resolve("train-images-idx3-ubyte"), 0x803, new int[] {2, 1, 1}, new byte[2], false);
    TestDatasets.writeIdx(dir.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {3}, new byte[] {0, 1, 2}, false);
    DatasetException e = assertThrows(DatasetException.class,
        () -> MnistSource.fromDirectory(dir, MnistSource.Split.TRAIN));
    assertTrue(e.getMessage().contains("has 3 labels but"), e.getMessage());
  }

  @Test
  void shouldRefuseALabelThatIsNotADigit(@TempDir Path dir) throws IOException {
    TestDatasets.writeIdx(dir.resolve("train-images-idx3-ubyte"), 0x803, new int[] {2, 1, 1}, new byte[2], false);
    TestDatasets.writeIdx(dir.resolve("train-labels-idx1-ubyte"), 0x801, new int[] {2}, new byte[] {0, 10}, false);
    DatasetException e = assertThrows(DatasetException.class,
        () -> MnistSource.fromDirectory(dir, MnistSource.Split.TRAIN));
    assertTrue(e.getMessage().contains("label 10 at index 1"), e.getMessage());
  }

  @Test
  void shouldSayWhichFileIsMissing(@TempDir Path dir) {
    DatasetException e = assertThrows(DatasetException.class,
        () -> MnistSource.fromDirectory(dir, MnistSource.Split.TEST));
    assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());
  }

  private static List<String> firstLabels(ExampleSource source, int n) {
    return IntStream.range(0, n).mapToObj(source::label).toList();
  }
}
