package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A folder of text files, one subfolder per class (the 20 Newsgroups and IMDB layout): each file one text. */
class TextFolderSourceTest {
  @TempDir
  Path dir;

  @Test
  void shouldReadEachFileAsOneTextLabelledByItsSubfolderAndReportWhatIsNotText() throws IOException {
    Path reviews = dir.resolve("reviews");
    write(reviews.resolve("pos/10_9.txt"), "A joy from start to end.\nSee it.");
    write(reviews.resolve("pos/2_8.txt"), "\uFEFFFine acting");
    write(reviews.resolve("neg/deeper/1_2.txt"), "Dull.");
    Files.write(reviews.resolve("neg/3_1"),
        "Caf\u00e9 scene was p\u00e9nible".getBytes(Charset.forName("windows-1252")));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(reviews.resolve("neg/4_1.txt.gz")))) {
      out.write("Zipped and bad".getBytes(StandardCharsets.UTF_8));
    }
    write(reviews.resolve("notes.txt"), "no class: directly in the folder");
    write(reviews.resolve("unsup/9_0.txt"), "no class either: IMDB's unlabelled reviews");
    write(reviews.resolve(".hidden/x.txt"), "ignored");
    write(reviews.resolve("neg/empty.txt"), " \n");
    Files.write(reviews.resolve("neg/model.bin"), new byte[] {1, 0, 2});

    ExampleSource source = CommandLine.populateCommand(new SourceOptions()).open(reviews.toString());

    TextFolderSource texts = assertInstanceOf(TextFolderSource.class, source);
    assertEquals("reviews", texts.name());
    assertEquals(List.of("neg", "pos"), texts.classes());
    // Natural order of the paths: neg/3_1 before neg/4_1.txt.gz before neg/deeper/..., pos/2_8 before pos/10_9.
    assertEquals(List.of("neg/3_1", "neg/4_1.txt.gz", "neg/deeper/1_2.txt", "notes.txt", "pos/2_8.txt",
        "pos/10_9.txt", "unsup/9_0.txt"), ids(texts));
    assertNull(texts.label(6));
    assertEquals("Caf\u00e9 scene was p\u00e9nible", texts.get(0).text());
    assertEquals("Zipped and bad", texts.get(1).text());
    assertEquals("neg", texts.label(2));
    assertNull(texts.label(3));
    assertEquals("Fine acting", texts.get(4).text());
    assertEquals("A joy from start to end.\nSee it.", texts.get(5).text());
    assertEquals("pos", texts.get(5).label());
    assertNull(texts.get(5).vector());
    assertEquals(2, texts.skipped().count());
    assertEquals(List.of("neg/empty.txt: empty", "neg/model.bin: binary (a NUL byte in its first 8192 bytes), not"
        + " text"), texts.skipped().firstReasons());
  }

  @Test
  void shouldSkipATooLongFileAndRefuseAFolderOverItsBoundOrWithoutText() throws IOException {
    write(dir.resolve("a/short.txt"), "short");
    write(dir.resolve("a/long.txt"), "x".repeat(100));

    TextFolderSource texts = TextFolderSource.read(dir, 50, 1_000);
    assertEquals(1, texts.size());
    assertEquals(List.of("a/long.txt: longer than 50 characters (--max-line-chars)"), texts.skipped().firstReasons());

    DatasetException tooBig = assertThrows(DatasetException.class, () -> TextFolderSource.read(dir, 50, 10));
    assertTrue(tooBig.getMessage().contains("holds 2 files of 0 MB, more than the 0 MB a data set may take"),
        tooBig.getMessage());
    Path binary = dir.resolve("bin");
    Files.createDirectories(binary.resolve("c"));
    Files.write(binary.resolve("c/x"), new byte[] {0, 0});
    DatasetException none = assertThrows(DatasetException.class, () -> TextFolderSource.read(binary, 50, 1_000));
    assertTrue(none.getMessage().contains("holds no text file that could be read"), none.getMessage());
  }

  @Test
  void shouldTellAFolderOfImagesFromOneOfTextsAndRefuseImageAndColumnOptionsForTexts() throws IOException {
    write(dir.resolve("texts/a/1.txt"), "hello there");
    write(dir.resolve("images/a/readme.txt"), "a stray file among images");
    Files.write(dir.resolve("images/a/1.png"), new byte[] {1});
    assertTrue(TextFolderSource.holdsText(dir.resolve("texts")));
    assertTrue(!TextFolderSource.holdsText(dir.resolve("images")));

    IllegalArgumentException sized = assertThrows(IllegalArgumentException.class,
        () -> CommandLine.populateCommand(new SourceOptions(), "--image-size", "8x8")
            .open(dir.resolve("texts").toString()));
    assertTrue(sized.getMessage().startsWith("--image-size, --image-color: for a folder of images"),
        sized.getMessage());
    IllegalArgumentException columns = assertThrows(IllegalArgumentException.class,
        () -> CommandLine.populateCommand(new SourceOptions(), "--text-column", "t")
            .open(dir.resolve("texts").toString()));
    assertTrue(columns.getMessage().startsWith("column options: not for a folder of text files"),
        columns.getMessage());
  }

  @Test
  void shouldReadTheTrainSplitOfAFolderOfSplitsAndRefuseOneWithoutNamingTheOneToGive() throws IOException {
    // aclImdb/ as unpacked: train/ and test/, each with pos/ and neg/; a README beside them.
    for (String split : List.of("train", "test")) {
      write(dir.resolve("aclImdb").resolve(split).resolve("pos/1.txt"), "good");
      write(dir.resolve("aclImdb").resolve(split).resolve("neg/2.txt"), "bad");
    }
    write(dir.resolve("aclImdb/README"), "about the set");
    Path root = dir.resolve("aclImdb");
    List<String> notes = new ArrayList<>();

    ExampleSource reviews = CommandLine.populateCommand(new SourceOptions()).open(root.toString(), notes::add);

    assertEquals(List.of("neg", "pos"), reviews.classes(), "the classes of train/, not train and test");
    assertEquals(root + " holds a data set's splits: reading its train split, train/ (--test-source "
        + root.resolve("test") + " asks the edge the examples of test/)", notes.get(0));
    // Splits without one called train: which to read is the user's to say.
    for (String split : List.of("val", "test")) {
      write(dir.resolve("parts").resolve(split).resolve("pos/1.txt"), "good");
    }
    DatasetException e = assertThrows(DatasetException.class,
        () -> CommandLine.populateCommand(new SourceOptions()).open(dir.resolve("parts").toString()));
    assertTrue(e.getMessage().startsWith(dir.resolve("parts") + " holds the splits test, val, each with its own"
        + " folders"), e.getMessage());
    // A class that happens to be called "test" with files in it is a class.
    write(dir.resolve("flat/test/1.txt"), "a");
    write(dir.resolve("flat/train/2.txt"), "b");
    assertEquals(List.of("test", "train"), TextFolderSource.read(dir.resolve("flat"), 100, 1_000).classes());
  }

  @Test
  void shouldReadTheTrainSplitOfADownloadGivenWholeAndRefuseAFolderOfTablesWhereThatIsAmbiguous()
      throws IOException {
    // Kaggle's layout: train.csv (labelled), test.csv, sample_submission.csv, side by side.
    Path kaggle = dir.resolve("titanic");
    StringBuilder train = new StringBuilder("PassengerId,Pclass,Sex,Age,Survived\n");
    for (int i = 1; i <= 40; i++) {
      train.append(i).append(',').append(1 + i % 3).append(',').append(i % 2 == 0 ? "male" : "female").append(',')
          .append(20 + i).append(',').append(i % 2).append('\n');
    }
    write(kaggle.resolve("train.csv"), train.toString());
    write(kaggle.resolve("test.csv"), "PassengerId,Pclass,Sex,Age\n41,1,male,30\n");
    write(kaggle.resolve("sample_submission.csv"), "PassengerId,Survived\n41,0\n");
    List<String> notes = new ArrayList<>();

    ExampleSource passengers = CommandLine.populateCommand(new SourceOptions()).open(kaggle.toString(), notes::add);

    assertEquals(40, passengers.size());
    assertEquals(List.of("1", "0"), passengers.classes());
    assertEquals(kaggle + " is a data set's download: reading its train split, train.csv (if test.csv has labels,"
        + " --test-source " + kaggle.resolve("test.csv") + " asks the edge those)", notes.get(0));
    // A HuggingFace data set as its download lays it out: a split's shards in a subfolder, a README.md beside them.
    Path hub = dir.resolve("emotion");
    write(hub.resolve("README.md"), "---\ndataset_info:\n---\n# Emotion\n");
    write(hub.resolve(".gitattributes"), "*.jsonl filter=lfs\n");
    for (int shard = 0; shard < 2; shard++) {
      write(hub.resolve("split/train-0000" + shard + "-of-00002.jsonl"), ("{\"text\": \"i feel so happy today "
          + shard + "\", \"label\": \"joy\"}\n{\"text\": \"i am furious about this " + shard + "\", \"label\":"
          + " \"anger\"}\n").repeat(10));
    }
    write(hub.resolve("split/test-00000-of-00001.jsonl"), "{\"text\": \"so glad\", \"label\": \"joy\"}\n");
    notes.clear();

    ExampleSource emotion = CommandLine.populateCommand(new SourceOptions()).open(hub.toString(), notes::add);

    assertEquals(40, emotion.size(), "both shards of the train split");
    assertTrue(notes.get(0).startsWith(hub + " is a data set's download: reading its train split,"
        + " split/train-00000-of-00002.jsonl (read with the other shard of its split) (if"
        + " split/test-00000-of-00001.jsonl has labels"), notes.toString());
    // Two configurations, each with its train split: which one is the user's to say.
    Path glue = dir.resolve("glue");
    write(glue.resolve("README.md"), "# GLUE\n");
    for (String config : List.of("cola", "sst2")) {
      write(glue.resolve(config).resolve("train-00000-of-00001.parquet"), "PAR1");
      write(glue.resolve(config).resolve("test-00000-of-00001.parquet"), "PAR1");
    }
    DatasetException two = assertThrows(DatasetException.class,
        () -> CommandLine.populateCommand(new SourceOptions()).open(glue.toString()));
    assertTrue(two.getMessage().endsWith("Give a file: --source " + glue.resolve("cola/train-00000-of-00001.parquet")
        + " (and, if cola/test-00000-of-00001.parquet has labels, --test-source "
        + glue.resolve("cola/test-00000-of-00001.parquet") + " for the demo's requests)"), two.getMessage());
    // Tables in class folders, not named as splits (one recording a file), stay one text each.
    write(dir.resolve("walks/slow/recording1.csv"), "t,x\n0,1\n");
    write(dir.resolve("walks/fast/recording2.csv"), "t,x\n0,5\n");
    assertEquals(List.of("fast", "slow"), TextFolderSource.read(dir.resolve("walks"), 100, 1_000).classes());
    // Text files in class folders with a table beside them stay a folder of texts.
    write(dir.resolve("notes/pos/1.txt"), "good");
    write(dir.resolve("notes/neg/2.txt"), "bad");
    write(dir.resolve("notes/index.csv"), "file,label\n");
    assertEquals(List.of("neg", "pos"), TextFolderSource.read(dir.resolve("notes"), 100, 1_000).classes());
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static List<String> ids(ExampleSource source) {
    return java.util.stream.IntStream.range(0, source.size()).mapToObj(i -> source.get(i).id()).toList();
  }
}
