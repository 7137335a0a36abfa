package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The shared source flags: what a user types opens the right source, and a wrong flag is named. */
class SourceOptionsTest {
  @TempDir
  Path dir;

  @Test
  void shouldOpenAHeaderlessFlowFileWithAllFieldsAndAGeneratedLabelColumn() throws IOException {
    // The case: a KDD-99 line has 41 fields and the label; gzipped, with no extension that says CSV.
    StringBuilder line = new StringBuilder("0,tcp,http,SF,181,5450");
    for (int i = 6; i < 41; i++) {
      line.append(',').append(i % 3 == 0 ? "0.00" : "1");
    }
    Path file = dir.resolve("kddcup.data_10_percent.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write((line + ",normal.\n" + line.toString().replace("tcp", "udp") + ",smurf.\n")
          .getBytes(StandardCharsets.UTF_8));
    }

    ExampleSource flows = options("--format", "csv", "--no-header", "--label-column", "c41", "--fields-all")
        .open(file.toString());

    assertEquals(2, flows.size());
    assertEquals(41, flows.fieldTypes().size());
    assertEquals(FieldType.CATEGORICAL, flows.fieldTypes().get("c1"));
    assertEquals(FieldType.NUMERIC, flows.fieldTypes().get("c4"));
    assertEquals("udp", flows.get(1).fields().get("c1"));
    assertEquals(5450.0, flows.get(1).fields().get("c5"));
    assertEquals(List.of("normal.", "smurf."), flows.classes());
  }

  @Test
  void shouldOpenIdxImagesByTheirFirstBytesWithTheirLabels() throws IOException {
    Path images = Files.write(dir.resolve("images"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2,
        (byte) 255, 51});
    Path labels = Files.write(dir.resolve("labels"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 4});

    ExampleSource source = options("--idx-labels", labels.toString()).open(images.toString());
    assertInstanceOf(IdxSource.class, source);
    assertArrayEquals(new float[] {1f, 0.2f}, source.get(0).vector());
    assertEquals("4", source.label(0));
    assertEquals("images-00000", source.get(0).id());

    ExampleSource unlabelled = options("--source-name", "cam").open(images.toString());
    assertEquals("cam-00000", unlabelled.get(0).id());
    assertEquals(null, unlabelled.label(0));
  }

  @Test
  void shouldNameTheFlagsThatDoNotFit() throws IOException {
    Path csv = Files.writeString(dir.resolve("a.csv"), "x,y\n1,2\n");
    Path images = Files.write(dir.resolve("images"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1});

    assertMessage("--field-columns and --fields-all", options("--field-columns", "x", "--fields-all"), csv);
    assertMessage("--columns and --columns-file", options("--fields-all", "--columns", "a,b", "--columns-file",
        csv.toString()), csv);
    assertMessage("--categorical-columns: 'z' is not one of the field columns [x]",
        options("--field-columns", "x", "--categorical-columns", "z"), csv);
    assertMessage("--text-column, --label-column: not for IDX images", options("--text-column", "t",
        "--label-column", "y"), images);
    assertMessage("--format must be one of auto, csv, jsonl, json, fasttext, arff, parquet, excel, idx, not 'xml'",
        options("--format", "xml"), csv);
    assertMessage("--image-size, --image-color: for a folder of images or a table of pixels, and " + images
        + " is IDX images, whose size is known", options("--image-size", "2x2"), images);
    assertMessage("--image-color: for a folder of images or a table naming image files, or with --image-size for a"
        + " table of pixels",
        options("--image-color", "rgb", "--fields-all"), csv);
    assertMessage("--source /no/such.csv is neither mnist-train, mnist-test, spamassassin nor an existing file",
        options("--fields-all"), Path.of("/no/such.csv"));
    IllegalArgumentException address = assertThrows(IllegalArgumentException.class, () -> options().open(
        "https://huggingface.co/datasets/dair-ai/emotion/resolve/main/split/train-00000-of-00001.parquet?download=1"));
    assertTrue(address.getMessage().contains("is an address: download it first and give the file (curl -L -o"
        + " train-00000-of-00001.parquet 'https://"), address.getMessage());
    assertMessage("--columns-file " + csv.resolveSibling("none") + ": cannot read it",
        options("--fields-all", "--columns-file", csv.resolveSibling("none").toString()), csv);
    assertMessage("--sample must be a positive number of rows, was 0", options("--fields-all", "--sample", "0"), csv);
    assertMessage("--sample (for tables and folders): not for IDX images", options("--sample", "5"), images);
    assertMessage("--no-header, --columns, --columns-file: for CSV only",
        options("--fields-all", "--no-header"), Files.writeString(dir.resolve("a.jsonl"), "{}\n"));

    // A built-in data set is read as it is: a flag for a file would be ignored, so it is refused (before any fetch).
    assertMessage("column options: not for the built-in data set mnist-train, which is read as it is",
        options("--text-column", "t"), Path.of("mnist-train"));
    assertMessage("--image-size/--image-color, --sample: not for the built-in data set spamassassin",
        options("--image-size", "8x8", "--sample", "100"), Path.of("SpamAssassin"));

    // A mistake in the arguments (the command exits 2), not a failure of the file.
    IllegalArgumentException noColumn = assertThrows(IllegalArgumentException.class,
        () -> options("--field-columns", "x,q").open(csv.toString()));
    assertTrue(noColumn.getMessage().endsWith("a.csv has no column q; its header has: x, y"), noColumn.getMessage());
  }

  @Test
  void shouldReadColumnNamesOnePerLineOrCommaSeparated() throws IOException {
    Path names = Files.writeString(dir.resolve("names"), """
        a, b
        # comment

        c: continuous.
        d # the label
        """);
    assertEquals(List.of("a", "b", "c", "d"), SourceOptions.readColumnsFile(names));
  }

  @Test
  void shouldOpenTabSeparatedTextWithoutAnExtensionByItsFirstLines() throws IOException {
    // The SMS Spam Collection as it ships: no extension, no header, label TAB message (commas, quotes).
    Path file = Files.writeString(dir.resolve("SMSSpamCollection"), """
        ham\tGo until jurong point, crazy.. Available only in bugis n great world la e buffet...
        spam\tFree entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005, text FA to 87121
        ham\tI said "ok", then left
        """);
    ExampleSource sms = options("--format", "csv", "--no-header", "--columns", "label,text", "--text-column", "text",
        "--label-column", "label").open(file.toString());
    assertEquals(3, sms.size(), "no line lost to a comma or a quote: " + sms.skipped());
    assertEquals("I said \"ok\", then left", sms.get(2).text());
    assertEquals(List.of("ham", "spam"), sms.classes());
    assertMessage("--delimiter must be auto", options("--format", "csv", "--delimiter", "two", "--text-column", "text"),
        file);
  }

  @Test
  void shouldSkipAHeaderLineThatRepeatsTheNamesGivenWithNoHeader() throws IOException {
    // A user's --no-header on a file that has a header: the names given are the header's, so it is no example.
    Path file = Files.writeString(dir.resolve("sms.csv"), """
        Label,Text
        ham,see you at eight
        spam,win a free prize now
        """);
    ExampleSource sms = options("--no-header", "--columns", "label,text", "--text-column", "text", "--label-column",
        "label").open(file.toString());
    assertEquals(2, sms.size());
    assertEquals(List.of("ham", "spam"), sms.classes(), "the header's 'Label' is no class");
    assertEquals(1, sms.skipped().count());
    assertTrue(sms.skipped().firstReasons().get(0).contains("line 1") && sms.skipped().firstReasons().get(0)
        .contains("repeats the column names given"), sms.skipped().toString());
    // A first line of other text stays data: only the names themselves make a header.
    Path data = Files.writeString(dir.resolve("data.csv"), "ham,label text\nspam,win\n");
    assertEquals(2, options("--no-header", "--columns", "label,text", "--text-column", "text", "--label-column",
        "label").open(data.toString()).size());
  }

  private static void assertMessage(String expectedStart, SourceOptions options, Path source) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options.open(source.toString()));
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
  }

  private static SourceOptions options(String... args) {
    return CommandLine.populateCommand(new SourceOptions(), args);
  }
}
