package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Parquet files, written here by parquet-hadoop's own writer in the layouts pandas and HuggingFace's datasets write,
 * are read as the JSON objects their rows would be: the payload and the label guessed as a JSON file's are.
 */
class ParquetRowsTest {
  @TempDir
  Path dir;

  /** HuggingFace's text classification layout: a string column and an int64 class. */
  private static final MessageType TEXT = MessageTypeParser.parseMessageType(
      "message schema { optional binary text (STRING); optional int64 label; }");

  @ParameterizedTest
  @EnumSource(value = CompressionCodecName.class, names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "LZ4_RAW"})
  void shouldReadATextTableInEachCodecAsItsJsonLinesWouldBe(CompressionCodecName codec) throws IOException {
    Path file = dir.resolve("train-00000-of-00001.parquet");
    write(file, TEXT, codec, 1000, factory -> {
      for (int i = 0; i < 300; i++) {
        String mood = i % 2 == 0 ? "a wonderful, moving film" : "a dull and tiresome mess";
        factory.accept(new SimpleGroupFactory(TEXT).newGroup().append("text", "Review " + i + ": " + mood)
            .append("label", (long) (i % 2)));
      }
    });
    List<String> notes = new ArrayList<>();

    ExampleSource reviews = options().open(file.toString(), notes::add);

    assertEquals(300, reviews.size());
    assertEquals(List.of("0", "1"), reviews.classes());
    assertEquals("Review 7: a dull and tiresome mess", reviews.get(7).text());
    assertEquals("1", reviews.label(7));
    assertTrue(notes.get(0).contains("text: column 'text'") && notes.get(0).contains("label: column 'label'"),
        notes.toString());
  }

  @Test
  void shouldReadEveryShardOfASplitWhicheverShardIsNamedAndRefuseASplitMissingOne() throws IOException {
    // As HuggingFace writes a large split: train-00000-of-00003.parquet ... train-00002-of-00003.parquet.
    for (int s = 0; s < 3; s++) {
      int shard = s;
      write(dir.resolve(String.format("train-%05d-of-00003.parquet", s)), TEXT, CompressionCodecName.SNAPPY, 1000,
          factory -> {
            for (int i = 0; i < 100; i++) {
              String text = shard == 1 && i == 4 ? " " : "Shard " + shard + " review " + i;
              factory.accept(new SimpleGroupFactory(TEXT).newGroup().append("text", text).append("label",
                  (long) (i % 2)));
            }
          });
    }
    Files.writeString(dir.resolve("test-00000-of-00001.parquet"), "not this split");
    List<String> notes = new ArrayList<>();

    ExampleSource train = options().open(dir.resolve("train-00001-of-00003.parquet").toString(), notes::add);

    assertEquals(299, train.size(), "three shards of 100 rows, one without text");
    assertEquals("Shard 0 review 0", train.get(0).text(), "the split in order, whichever shard was named");
    assertEquals("Shard 1 review 0", train.get(100).text());
    assertEquals("Shard 2 review 99", train.get(298).text());
    assertEquals(299, java.util.stream.IntStream.range(0, train.size()).mapToObj(i -> train.get(i).id()).distinct()
        .count(), "no two rows of two shards share an id");
    assertEquals(1, train.skipped().count());
    assertTrue(notes.stream().anyMatch(n -> n.contains("train-00001-of-00003.parquet is one of 3 shards of a split:"
        + " reading them all")), notes.toString());
    assertTrue(train.skipped().firstReasons().get(0).contains("train-00001-of-00003.parquet row 5"),
        "a skipped row is named by its shard and its row there: " + train.skipped().firstReasons());

    Files.delete(dir.resolve("train-00002-of-00003.parquet"));
    DatasetException missing = assertThrows(DatasetException.class,
        () -> options().open(dir.resolve("train-00000-of-00003.parquet").toString(), notes::add));
    assertTrue(missing.getMessage().contains("is shard 1 of 3 of a split, and 1 of them is not in"),
        missing.getMessage());
    assertTrue(missing.getMessage().contains("train-00002-of-00003.parquet"), missing.getMessage());
  }

  @Test
  void shouldNameTheClassesOfAHuggingFaceClassLabelColumnFromTheFilesMetadata() throws IOException {
    // As HuggingFace's datasets writes "emotion": label an int64, its names in the schema's "huggingface" metadata;
    // -1 is its "no label" (the GLUE test splits).
    Path file = dir.resolve("emotion.parquet");
    String metadata = "{\"info\": {\"features\": {\"text\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
        + " \"label\": {\"names\": [\"sadness\", \"joy\", \"love\"], \"_type\": \"ClassLabel\"}}}}";
    write(file, TEXT, CompressionCodecName.SNAPPY, 1 << 20, Map.of("huggingface", metadata), factory -> {
      for (int i = 0; i < 90; i++) {
        factory.accept(new SimpleGroupFactory(TEXT).newGroup().append("text", "i feel " + i + " things today")
            .append("label", i == 4 ? -1L : (long) (i % 3)));
      }
    });

    ExampleSource emotions = options().open(file.toString(), note -> { });

    assertEquals(List.of("sadness", "joy", "love"), emotions.classes());
    assertEquals("love", emotions.label(5));
    assertNull(emotions.label(4), "-1: no label");
    // A list of classes (multi-label sets): a Sequence of ClassLabel.
    assertEquals(Map.of("tags", List.of("a", "b", "c")), ParquetRows.classNames(file,
        "{\"info\": {\"features\": {\"tags\": {\"feature\": {\"names\": [\"a\", \"b\", \"c\"],"
            + " \"_type\": \"ClassLabel\"}, \"_type\": \"Sequence\"}}}}"));
    assertEquals(Map.of(), ParquetRows.classNames(file, "not json"));
  }

  @Test
  void shouldReadNumbersCategoriesDatesAndNullsAsAStructuredRecordAcrossRowGroups() throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType("message schema { optional int32 age;"
        + " optional binary city (STRING); optional double income; optional int64 seen (TIMESTAMP(MICROS,true));"
        + " optional int32 born (DATE); optional boolean member; required binary target (STRING); }");
    Path file = dir.resolve("people.parquet");
    String[] cities = {"New York City", "San Francisco Bay", "Los Angeles County"};
    // A row group of about 4 KB: several of them, read one after another.
    write(file, schema, CompressionCodecName.SNAPPY, 4096, factory -> {
      for (int i = 0; i < 2000; i++) {
        Group row = new SimpleGroupFactory(schema).newGroup().append("age", 20 + i % 40)
            .append("income", 1000.5 * i).append("seen", 1_700_000_000_000_000L + i)
            .append("born", 7000 + i % 900).append("member", i % 3 == 0)
            .append("target", i % 2 == 0 ? ">50K" : "<=50K");
        if (i % 10 != 3) {
          row.append("city", cities[i % 3]); // every tenth city null, as pandas writes None
        }
        factory.accept(row);
      }
    });

    ExampleSource people = options("--label-column", "target", "--field-columns", "age,city,income,member")
        .open(file.toString(), note -> { });

    assertEquals(2000, people.size());
    assertEquals(Map.of("age", FieldType.NUMERIC, "city", FieldType.CATEGORICAL, "income", FieldType.NUMERIC,
        "member", FieldType.CATEGORICAL), people.fieldTypes());
    assertEquals(">50K", people.label(1998));
    assertEquals("Los Angeles County", people.get(1997).fields().get("city"));
    assertNull(people.get(3).fields().get("city"));
    assertEquals("2019-03-01", ParquetRows.objectOf(new SimpleGroupFactory(schema).newGroup().append("born", 17956)
        .append("seen", 1_700_000_000_000_000L).append("target", "x")).get("born").asText());
  }

  @Test
  void shouldReadAListOfFloatsAsTheVectorAndAStructsFieldsByTheirDottedNames() throws IOException {
    // pyarrow's list<float> (three levels) and a struct, as in a HuggingFace embedding set.
    MessageType schema = MessageTypeParser.parseMessageType("message schema {"
        + " optional group embedding (LIST) { repeated group list { optional float element; } }"
        + " optional group meta { optional binary source (STRING); optional int64 stars; }"
        + " optional binary category (STRING); }");
    Path file = dir.resolve("embeddings.parquet");
    write(file, schema, CompressionCodecName.ZSTD, 1 << 20, factory -> {
      for (int i = 0; i < 200; i++) {
        Group row = new SimpleGroupFactory(schema).newGroup().append("category", i % 2 == 0 ? "a" : "b");
        Group list = row.addGroup("embedding");
        for (int d = 0; d < 4; d++) {
          list.addGroup("list").append("element", i + d / 10f);
        }
        row.addGroup("meta").append("source", "web").append("stars", (long) (i % 5));
        factory.accept(row);
      }
    });

    ExampleSource vectors = options("--vector-column", "embedding", "--label-column", "category")
        .open(file.toString(), note -> { });

    assertEquals(200, vectors.size());
    assertArrayEquals(new float[] {5f, 5.1f, 5.2f, 5.3f}, vectors.get(5).vector());
    assertEquals("b", vectors.label(5));
    ExampleSource meta = options("--field-columns", "meta.source,meta.stars", "--label-column", "category")
        .open(file.toString(), note -> { });
    assertEquals(4.0, meta.get(4).fields().get("meta.stars"));
  }

  @Test
  void shouldTellParquetByItsMagicBytesAndRefuseACutFileSayingSo() throws IOException {
    Path file = dir.resolve("data.parquet");
    write(file, TEXT, CompressionCodecName.SNAPPY, 1000, factory -> {
      for (int i = 0; i < 100; i++) {
        factory.accept(new SimpleGroupFactory(TEXT).newGroup().append("text", "words " + i)
            .append("label", (long) (i % 3)));
      }
    });
    Path unnamed = Files.copy(file, dir.resolve("download"));
    List<String> notes = new ArrayList<>();

    ExampleSource told = options().open(unnamed.toString(), notes::add);

    assertEquals(100, told.size());
    assertTrue(notes.get(0).contains("read as Parquet by its first bytes"), notes.toString());
    byte[] bytes = Files.readAllBytes(file);
    Path cut = Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
    DatasetException e = assertThrows(DatasetException.class, () -> options().open(cut.toString(), note -> { }));
    assertTrue(e.getMessage().startsWith(cut + " cannot be read as Parquet: "), e.getMessage());
  }

  @Test
  void shouldReadHuggingFacesImageColumnAsTheImagesItHolds() throws IOException {
    // HuggingFace's image sets (mnist, cifar10) as Parquet: each row's PNG in image.bytes, its name in image.path.
    // HuggingFace's beans also has image_file_path, naming files on the machine that wrote it: not here.
    MessageType schema = MessageTypeParser.parseMessageType("message schema {"
        + " optional binary image_file_path (STRING);"
        + " optional group image { optional binary bytes; optional binary path (STRING); } optional int64 label; }");
    Path file = dir.resolve("train-00000-of-00001.parquet");
    List<byte[]> pngs = new ArrayList<>();
    write(file, schema, CompressionCodecName.SNAPPY, 1 << 20, factory -> {
      for (int i = 0; i < 60; i++) {
        byte[] png = png(i);
        pngs.add(png);
        Group row = new SimpleGroupFactory(schema).newGroup().append("label", (long) (i % 3))
            .append("image_file_path", "/home/someone/.cache/huggingface/datasets/train/" + i + ".png");
        row.addGroup("image").append("bytes", Binary.fromConstantByteArray(png)).append("path", i + ".png");
        factory.accept(row);
      }
    });
    List<String> notes = new ArrayList<>();

    ExampleSource digits = options().open(file.toString(), notes::add);

    assertEquals(60, digits.size());
    assertArrayEquals(new int[] {12, 10}, digits.imageShape());
    assertEquals(List.of("0", "1", "2"), digits.classes());
    assertEquals("2", digits.label(5));
    assertArrayEquals(ImagePixels.decode(pngs.get(5), 1, 12, 10), digits.get(5).vector());
    assertTrue(notes.get(0).contains("images: those column 'image.bytes' holds (each an image file's bytes)")
        && notes.get(0).contains("label: column 'label'"), notes.toString());
    // The same images as data URIs in JSON Lines, one of them broken: skipped with its reason.
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < pngs.size(); i++) {
      String base64 = Base64.getEncoder().encodeToString(pngs.get(i));
      lines.append("{\"picture\": \"data:image/png;base64,").append(i == 7 ? base64.substring(0, 60) : base64)
          .append("\", \"class\": \"c").append(i % 3).append("\"}\n");
    }
    Path json = Files.writeString(dir.resolve("digits.jsonl"), lines);
    ExampleSource fromJson = options("--image-column", "picture", "--label-column", "class")
        .open(json.toString(), note -> { });
    assertEquals(59, fromJson.size());
    assertArrayEquals(digits.get(5).vector(), fromJson.get(5).vector());
    assertTrue(fromJson.skipped().firstReasons().get(0).startsWith("digits.jsonl:8: cannot be decoded"),
        fromJson.skipped().toString());
    // And as a CSV pandas would write (the data URI's comma quoted), guessed with no flag.
    StringBuilder csv = new StringBuilder("picture,class\n");
    for (int i = 0; i < pngs.size(); i++) {
      csv.append("\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(pngs.get(i))).append("\",c")
          .append(i % 3).append('\n');
    }
    List<String> guessed = new ArrayList<>();
    ExampleSource fromCsv = options().open(Files.writeString(dir.resolve("digits.csv"), csv).toString(), guessed::add);
    assertEquals(60, fromCsv.size());
    assertArrayEquals(digits.get(5).vector(), fromCsv.get(5).vector());
    assertTrue(guessed.get(0).contains("images: those column 'picture' holds"), guessed.toString());
  }

  /** A 10x12 gray PNG, a bar whose place depends on {@code i}. */
  private static byte[] png(int i) {
    BufferedImage image = new BufferedImage(10, 12, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 12; y++) {
      image.getRaster().setSample(i % 10, y, 0, 200 + i % 50);
      image.getRaster().setSample((i / 10) % 10, y, 0, 90);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(Path file, MessageType schema, CompressionCodecName codec, int rowGroupBytes,
      Consumer<Consumer<Group>> rows) throws IOException {
    write(file, schema, codec, rowGroupBytes, Map.of(), rows);
  }

  private static void write(Path file, MessageType schema, CompressionCodecName codec, int rowGroupBytes,
      Map<String, String> metadata, Consumer<Consumer<Group>> rows) throws IOException {
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
        .withExtraMetaData(metadata)
        .withConf(new Configuration()).withCompressionCodec(codec).withRowGroupSize((long) rowGroupBytes)
        .withPageSize(Math.min(rowGroupBytes, 1 << 16)).build()) {
      rows.accept(row -> {
        try {
          writer.write(row);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
  }

  private static SourceOptions options(String... args) {
    return CommandLine.populateCommand(new SourceOptions(), args);
  }
}
