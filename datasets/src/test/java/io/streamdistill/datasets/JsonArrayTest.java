package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.TabularSource.Columns;
import io.streamdistill.datasets.TabularSource.Format;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A .json file: an array of objects (as pandas writes records) or JSON Lines under another name. */
class JsonArrayTest {
  @TempDir
  Path dir;

  @Test
  void shouldReadAnArrayOfObjectsElementByElementAndReportTheElementsThatAreNot() throws IOException {
    Path file = Files.writeString(dir.resolve("reviews.json"), """
        \uFEFF [
          {"text": "great phone", "label": "pos", "v": [1, 2]},
          "a string",
          {"text": "broke in a week",
           "label": "neg", "v": [3, 4]},
          {"text": "", "label": "neg", "v": [5, 6]}
        ]
        """);

    TabularSource reviews = TabularSource.read(file, Columns.ofText("text").withLabel("label"));

    assertEquals(2, reviews.size());
    assertEquals("broke in a week", reviews.get(1).text());
    assertEquals("reviews.json:3", reviews.get(1).id());
    assertEquals(List.of("pos", "neg"), reviews.classes());
    assertEquals(List.of("reviews.json element 2: not a JSON object", "reviews.json element 4, column 'text': text is"
        + " empty"), reviews.skipped().firstReasons());
    TabularSource vectors = TabularSource.read(file, Format.JSON_LINES, Columns.ofVector("v"));
    assertArrayEquals(new float[] {5, 6}, vectors.get(2).vector());
  }

  @Test
  void shouldReadTheRecordsOfAFileThatIsOneObjectAsDataSetsAndPandasWriteThem() throws IOException {
    // Under a key (pretty-printed, beside other keys), and pandas' to_json() in its columns (the default), index
    // and split orients: each the same three records.
    Map<String, String> files = Map.of(
        "wrapped.json", """
            {
              "version": 2,
              "data": [
                {"text": "a fine film", "label": "pos"},
                {"text": "dull and long", "label": "neg"},
                {"text": "loved every minute", "label": "pos"}
              ]
            }
            """,
        "columns.json", "{\"text\":{\"0\":\"a fine film\",\"1\":\"dull and long\",\"2\":\"loved every minute\"},"
            + "\"label\":{\"0\":\"pos\",\"1\":\"neg\",\"2\":\"pos\"}}",
        "index.json", "{\"0\":{\"text\":\"a fine film\",\"label\":\"pos\"},\"1\":{\"text\":\"dull and long\","
            + "\"label\":\"neg\"},\"2\":{\"text\":\"loved every minute\",\"label\":\"pos\"}}",
        "split.json", "{\"columns\":[\"text\",\"label\"],\"index\":[0,1,2],\"data\":[[\"a fine film\",\"pos\"],"
            + "[\"dull and long\",\"neg\"],[\"loved every minute\",\"pos\"]]}");
    for (Map.Entry<String, String> entry : files.entrySet()) {
      Path file = Files.writeString(dir.resolve(entry.getKey()), entry.getValue());

      TabularSource source = TabularSource.read(file, Columns.ofText("text").withLabel("label"));

      assertEquals(3, source.size(), entry.getKey());
      assertEquals(List.of("a fine film", "dull and long", "loved every minute"),
          List.of(source.get(0).text(), source.get(1).text(), source.get(2).text()), entry.getKey());
      assertEquals(List.of("pos", "neg", "pos"), List.of(source.label(0), source.label(1), source.label(2)));
      assertEquals(entry.getKey() + ":2", source.get(1).id());
    }
    // One object that holds no records in a known way: said, with what to do.
    Path odd = Files.writeString(dir.resolve("odd.json"), "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n");
    DatasetException e = assertThrows(DatasetException.class,
        () -> TabularSource.read(odd, Columns.ofAllFields()));
    assertTrue(e.getMessage().endsWith("is one JSON object, and holds its records in no way known: an array of objects"
        + " under a key, or pandas' to_json() (orient columns, index or split); write it as JSON Lines, one record a"
        + " line"), e.getMessage());
    // A one-line file that is a record (its values not all objects or arrays) stays one JSON Lines record.
    Path one = Files.writeString(dir.resolve("one.json"), "{\"text\": \"just one\", \"label\": \"x\"}\n");
    assertEquals("just one", TabularSource.read(one, Columns.ofText("text")).get(0).text());
    // JSON Lines whose first line is cut short: still JSON Lines, that line skipped.
    Path cut = Files.writeString(dir.resolve("cut.jsonl"), "{\"text\": \"cut\n{\"text\": \"whole\"}\n");
    TabularSource lines = TabularSource.read(cut, Columns.ofText("text"));
    assertEquals(1, lines.size());
    assertEquals(1, lines.skipped().count());
  }

  @Test
  void shouldReadJsonLinesNamedJsonAndGuessTheirPayload() throws IOException {
    Path file = Files.writeString(dir.resolve("export.json"), """
        {"sentence": "the cat sat on the mat", "label": 0}
        {"sentence": "dogs bark at night loudly", "label": 1}
        """);
    List<String> notes = new java.util.ArrayList<>();

    ExampleSource source = CommandLine.populateCommand(new SourceOptions()).open(file.toString(), notes::add);

    assertEquals("dogs bark at night loudly", source.get(1).text());
    assertEquals("1", source.label(1));
    assertTrue(notes.get(0).contains("text: column 'sentence'"), notes.toString());
  }

  @Test
  void shouldRefuseAMalformedOrCutArrayNamingWhereAndAKeyNoElementHas() throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.json"), "[{\"text\": \"a\"},\n {\"text\": \"b\",,}]");
    DatasetException malformed = assertThrows(DatasetException.class,
        () -> TabularSource.read(broken, Columns.ofText("text")));
    assertTrue(malformed.getMessage().startsWith("broken.json: malformed JSON at line 2, character "),
        malformed.getMessage());

    Path cut = Files.writeString(dir.resolve("cut.json"), "[{\"text\": \"a\"}, {\"text\": \"b\"}");
    DatasetException shortened = assertThrows(DatasetException.class,
        () -> TabularSource.read(cut, Columns.ofText("text")));
    assertTrue(shortened.getMessage().contains("cut.json"), shortened.getMessage());

    Path good = Files.writeString(dir.resolve("good.json"), "[{\"text\": \"a\"}]");
    MissingColumnException missing = assertThrows(MissingColumnException.class,
        () -> TabularSource.read(good, Columns.ofText("body")));
    assertEquals("good.json: no element has the key 'body' (--text-column); its elements have the keys: text",
        missing.getMessage());
  }
}
