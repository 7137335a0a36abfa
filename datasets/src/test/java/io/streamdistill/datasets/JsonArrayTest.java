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
