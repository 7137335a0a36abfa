package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.TabularSource.Columns;
import io.streamdistill.datasets.TabularSource.Format;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class TabularSourceTest {
  @TempDir
  Path dir;

  @Test
  void shouldKeepTheGoodJsonLinesInOrderAndReportTheBadOnes() throws IOException {
    Path file = write("mails.jsonl", """
        {"id": "m1", "body": "win a prize", "y": "spam", "v": [1, 2, 3]}
        {"id": "m2", "body": "lunch at noon?", "y": "ham", "v": "4 5 6"}
        {"id": "m3", "body": "broken", "y": "ham", "v": [1, 2, 3]
        {"id": "m4", "y": "ham"}

        {"id": "m5", "body": "short vector", "y": "ham", "v": [1, 2]}
        {"id": "m6", "body": "ok", "y": "spam", "v": [1, "x", 3]}
        {"id": "m7", "body": "only text, vector missing", "y": "ham"}
        {"id": "m8", "body": "   ", "y": "ham", "v": [7, 8, 9]}
        {"id": "m9", "body": "not finite", "y": "ham", "v": [1, 1e39, 3]}
        {"id": "m10", "body": "last", "y": 3, "v": "[0.5; -1e-3; +2]"}
        """);

    TabularSource source = TabularSource.read(file,
        Columns.ofText("body").withVector("v").withLabel("y").withId("id"));

    assertEquals(List.of("m1", "m2", "m7", "m8", "m10"), ids(source));
    assertEquals("win a prize", source.get(0).text());
    assertArrayEquals(new float[] {4, 5, 6}, source.get(1).vector());
    // Text alone or vector alone is enough when both are configured; a blank text counts as none.
    assertNull(source.get(2).vector());
    assertNull(source.get(3).text());
    assertArrayEquals(new float[] {0.5f, -0.001f, 2f}, source.get(4).vector());
    assertEquals("3", source.label(4), "a JSON number label is taken as written");
    assertEquals(List.of("spam", "ham", "3"), source.classes());

    assertEquals(5, source.skipped().count());
    List<String> reasons = source.skipped().firstReasons();
    assertTrue(reasons.get(0).startsWith("mails.jsonl line 3: malformed JSON at character "), reasons.get(0));
    assertTrue(reasons.get(0).endsWith(": Unexpected end-of-input: expected close marker for Object"), reasons.get(0));
    assertEquals(List.of(
        "mails.jsonl line 4: neither text (column 'body') nor vector",
        "mails.jsonl line 6: vector has 2 values, expected 3",
        "mails.jsonl line 7, column 'v': 'x' is not a number (a vector column)",
        "mails.jsonl line 10, column 'v': 1.0E39 is not a finite float (a vector column)"), reasons.subList(1, 5));
  }

  @Test
  void shouldKeepTheGoodCsvRecordsInOrderAndReportTheBadOnes() throws IOException {
    Path file = write("digits.csv", """
        id,text,px2,px10,px1,label
        a,"first, with a comma",0.1,0.3,0,one
        b,"a ""quoted"" word and
        a line break",0.2,0.4,1,two
        c,"never closed,0.1,0.2,0.3,three
        d,too few fields,1,2
        e,non-numeric,0.5,abc,1,one
        f,nan,NaN,1,1,one
        g,,,,,one
        h,back to good,1,2,3,three
        """);

    TabularSource source = TabularSource.read(file,
        Columns.ofText("text").withVectorPrefix("px").withLabel("label").withId("id").withVectorWidth(3));

    assertEquals(List.of("a", "b", "h"), ids(source));
    assertEquals("first, with a comma", source.get(0).text());
    assertEquals("a \"quoted\" word and\na line break", source.get(1).text());
    // px1, px2, px10: natural order, not the header's and not lexicographic.
    assertArrayEquals(new float[] {0f, 0.1f, 0.3f}, source.get(0).vector());
    assertArrayEquals(new float[] {3f, 1f, 2f}, source.get(2).vector());
    assertEquals(List.of("one", "two", "three"), source.classes());

    assertEquals(5, source.skipped().count());
    assertEquals(List.of(
        "digits.csv line 5: malformed CSV: a quoted field is never closed",
        "digits.csv line 6: malformed CSV: has 4 fields, the header has 6",
        "digits.csv line 7, column 'px10': 'abc' is not a number (a vector column)",
        "digits.csv line 8, column 'px2': 'NaN' is not a number (a vector column)",
        "digits.csv line 9: neither text (column 'text') nor vector"), source.skipped().firstReasons());
  }

  @Test
  void shouldNameExamplesByFileAndLineWithoutAnIdColumn() throws IOException {
    Path file = write("plain.ndjson", "{\"t\": \"one\"}\n\n{\"t\": \"\"}\n{\"t\": \"three\"}\n");
    TabularSource source = TabularSource.read(file, Columns.ofText("t"));
    assertEquals(List.of("plain.ndjson:1", "plain.ndjson:4"), ids(source));
    assertNull(source.label(0));
    assertEquals(List.of(), source.classes());
    assertEquals(List.of("plain.ndjson line 3, column 't': text is empty"), source.skipped().firstReasons());
    assertEquals("plain.ndjson", source.name());
  }

  @Test
  void shouldTakeTheWidthFromTheFirstGoodRowAndSkipDuplicateIds() throws IOException {
    Path file = write("v.jsonl", """
        {"k": 1, "v": "oops"}
        {"k": 1, "v": [1, 2]}
        {"k": 2, "v": [1, 2, 3]}
        {"k": 1, "v": [3, 4]}
        {"k": 3, "a": 1, "b": 2}
        [1, 2]
        """);
    TabularSource source = TabularSource.read(file, Columns.ofVector("v").withId("k"));
    assertEquals(List.of("1"), ids(source));
    assertEquals(List.of(
        "v.jsonl line 1, column 'v': 'oops' is not a number (a vector column)",
        "v.jsonl line 3: vector has 3 values, expected 2",
        "v.jsonl line 4, column 'k': id '1' was already used on line 2",
        "v.jsonl line 5: no vector",
        "v.jsonl line 6: not a JSON object"), source.skipped().firstReasons());
  }

  @Test
  void shouldReadSeveralNumericColumnsAsOneVector() throws IOException {
    Path file = write("xy.csv", "x,y,z\n1,2,3\n4,,6\n");
    TabularSource source = TabularSource.read(file, Columns.ofVector("z", "x"));
    assertEquals(2, source.size());
    assertArrayEquals(new float[] {3, 1}, source.get(0).vector());
    assertArrayEquals(new float[] {6, 4}, source.get(1).vector());
    assertEquals(List.of("xy.csv line 3, column 'y': no value (a vector column)"),
        TabularSource.read(file, Columns.ofVector("x", "y")).skipped().firstReasons());
  }

  @Test
  void shouldTrimLabelsAndKeepRowsWithAnEmptyLabelUnlabelled() throws IOException {
    Path csv = write("tickets.csv", """
        id,text,label
        1,refund please, billing
        2,charged twice,billing\t
        3,where is my parcel,"   "
        4,late again,
        5,lost parcel,shipping
        """);
    TabularSource tickets = TabularSource.read(csv, Columns.ofText("text").withLabel("label").withId("id"));
    assertEquals(List.of("1", "2", "3", "4", "5"), ids(tickets), "unlabelled rows are traffic too");
    assertEquals(List.of("billing", "shipping"), tickets.classes(), "' billing' and 'billing' are one class");
    assertEquals("billing", tickets.get(0).label());
    assertEquals(null, tickets.get(2).label());
    assertEquals(null, tickets.get(3).label());
    assertEquals(List.of(), tickets.skipped().firstReasons());

    Path jsonl = write("tickets.jsonl", """
        {"text": "refund please", "y": " billing "}
        {"text": "charged twice", "y": "\\t"}
        {"text": "no label given", "y": null}
        {"text": "charged again", "y": "billing"}
        {"text": "no label column"}
        """);
    TabularSource lines = TabularSource.read(jsonl, Columns.ofText("text").withLabel("y"));
    assertEquals(5, lines.size());
    assertEquals("billing", lines.label(0));
    assertEquals(null, lines.label(1));
    assertEquals(null, lines.label(2));
    assertEquals("billing", lines.label(3));
  }

  @Test
  void shouldRefuseACsvWithoutAConfiguredColumn() throws IOException {
    Path file = write("mails.csv", "id,body\n1,hello\n");
    DatasetException e = assertThrows(DatasetException.class,
        () -> TabularSource.read(file, Columns.ofText("text").withLabel("label")));
    assertTrue(e.getMessage().endsWith("mails.csv has no column text, label; its header has: id, body"),
        e.getMessage());
    DatasetException empty = assertThrows(DatasetException.class,
        () -> TabularSource.read(write("empty.csv", ""), Columns.ofText("body")));
    assertTrue(empty.getMessage().contains("needs a header row"), empty.getMessage());
  }

  @Test
  void shouldRefuseJsonLinesWithoutAConfiguredKeyAndListTheKeysTheyHave() throws IOException {
    Path file = write("tickets.jsonl", """
        {"id": 1, "body": "printer jam", "category": "bug"}
        {"id": 2, "body": "refund", "category": "billing", "extra": true}
        """);
    DatasetException label = assertThrows(DatasetException.class,
        () -> TabularSource.read(file, Columns.ofText("body").withLabel("label")));
    assertTrue(label.getMessage().endsWith("tickets.jsonl: no line has the key 'label' (--label-column); its lines"
        + " have the keys: id, body, category, extra"), label.getMessage());
    DatasetException text = assertThrows(DatasetException.class,
        () -> TabularSource.read(file, Columns.ofText("text").withLabel("category")));
    assertTrue(text.getMessage().contains("no line has the key 'text' (--text-column)"), text.getMessage());
    // A key some lines lack is no error: those lines are unlabelled (or skipped), as before.
    assertEquals(2, TabularSource.read(file, Columns.ofText("body").withLabel("category")).size());
  }

  @Test
  void shouldRefuseAFieldKeyNoLineHasAndLeaveNestedValuesOutOfAllFields() throws IOException {
    Path file = write("accounts.jsonl", """
        {"id": 1, "plan": "pro", "age": 31, "address": {"city": "Lyon"}, "tags": ["a"], "risk": "low"}
        {"id": 2, "plan": "free", "age": 52, "address": null, "tags": "b", "risk": "high"}
        {"id": 3, "plan": "pro", "age": 40, "risk": "low"}
        """);
    // A misspelt field would be a field missing on every line: refused, naming it and the keys there are.
    MissingColumnException typo = assertThrows(MissingColumnException.class,
        () -> TabularSource.read(file, Columns.ofFields("plan", "agee").withLabel("risk")));
    assertTrue(typo.getMessage().endsWith("accounts.jsonl: no line has the key 'agee' (--field-columns); its lines"
        + " have the keys: id, plan, age, address.city, tags, risk, address"), typo.getMessage());

    // --fields-all takes the values; an array is not one: left out (missing), the line kept. An object's keys are
    // brought up (address.city); a null is a missing value.
    TabularSource all = TabularSource.read(file, Columns.ofAllFields().withLabel("risk").withId("id"));
    assertEquals(3, all.size(), all.skipped().toString());
    assertEquals(List.of("plan", "age", "address.city", "tags"), List.copyOf(all.fieldTypes().keySet()));
    assertNull(all.get(0).fields().get("tags"), "an array there: missing on that line");
    assertEquals("b", all.get(1).fields().get("tags"));
    assertEquals("Lyon", all.get(0).fields().get("address.city"));
    assertFalse(all.get(0).fields().containsKey("address"));
  }

  @Test
  void shouldTellTheFormatByExtensionOrBeToldIt() throws IOException {
    assertEquals(Format.JSON_LINES, Format.fromFileName("a.JSONL"));
    assertEquals(Format.JSON_LINES, Format.fromFileName("a.json-lines"));
    assertEquals(Format.CSV, Format.fromFileName("a.csv"));
    Path file = write("data.txt", "t\nhello\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TabularSource.read(file, Columns.ofText("t")));
    assertTrue(e.getMessage().contains("give the format explicitly"), e.getMessage());
    assertEquals("hello", TabularSource.read(file, Format.CSV, Columns.ofText("t")).get(0).text());
  }

  @Test
  void shouldValidateTheColumnsByName() {
    assertMessage("text, vector, vectorPrefix, fields: configure a text column, the vector's column(s) or the field",
        () -> new Columns(null, List.of(), null, "label", null, 0));
    assertMessage("column 'x' is configured as both text and label", () -> Columns.ofText("x").withLabel("x"));
    assertMessage("vector and vectorPrefix: name the vector's columns or give their prefix",
        () -> new Columns(null, List.of("a"), "px", null, null, 0));
    assertMessage("vectorWidth must be >= 0", () -> Columns.ofVector("v").withVectorWidth(-1));
    assertMessage("label must not be blank", () -> Columns.ofText("t").withLabel(" "));
    assertMessage("vector: column 'v' is named twice", () -> Columns.ofVector("v", "v"));
    assertMessage("vectorWidth is 3 but no vector column is configured", () -> Columns.ofText("t").withVectorWidth(3));
  }

  @Test
  void shouldSortColumnNamesNaturally() {
    List<String> names = new ArrayList<>(List.of("px10", "px2", "px1", "px01", "pxa", "px"));
    names.sort(TabularSource.NATURAL_ORDER);
    assertEquals(List.of("px", "px01", "px1", "px2", "px10", "pxa"), names);
  }

  private static void assertMessage(String expectedStart, Executable executable) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
  }

  @Test
  void shouldReadAFileThatIsNotUtf8AsWindows1252AndUtf8AsUtf8() throws IOException {
    String csv = "id,reseña,sentimiento\n1,\"Muy buen café, ¡genial!\",positivo\n2,Pésimo,negativo\n";
    Path latin1 = Files.write(dir.resolve("latin1.csv"), csv.getBytes(StandardCharsets.ISO_8859_1));
    Path utf8 = Files.write(dir.resolve("utf8.csv"), csv.getBytes(StandardCharsets.UTF_8));
    // Excel's "Unicode text": UTF-16 little-endian after its byte order mark; Java's UTF-16: big-endian.
    byte[] little = csv.getBytes(StandardCharsets.UTF_16LE);
    byte[] marked = new byte[little.length + 2];
    marked[0] = (byte) 0xFF;
    marked[1] = (byte) 0xFE;
    System.arraycopy(little, 0, marked, 2, little.length);
    Path utf16le = Files.write(dir.resolve("utf16le.csv"), marked);
    Path utf16be = Files.write(dir.resolve("utf16be.csv"), csv.getBytes(StandardCharsets.UTF_16));
    for (Path file : List.of(latin1, utf8, utf16le, utf16be)) {
      TabularSource source = TabularSource.read(file, Columns.ofText("reseña").withLabel("sentimiento"));
      assertEquals("Muy buen café, ¡genial!", source.get(0).text(), file.toString());
      assertEquals("Pésimo", source.get(1).text(), file.toString());
    }
    // A multi-byte character cut at the end of what is looked at is still UTF-8.
    byte[] cut = Arrays.copyOf("café".getBytes(StandardCharsets.UTF_8), 4);
    assertTrue(Inputs.looksLikeUtf8(cut));
    assertFalse(Inputs.looksLikeUtf8("café au lait".getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void shouldRefuseAFileWhoseRowsWouldNotFitInMemorySayingWhatToDo() throws IOException {
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < 1_000; i++) {
      csv.append("row ").append(i).append(" ").append("x".repeat(100)).append(',').append(i % 2 == 0 ? "even" : "odd")
          .append('\n');
    }
    Path file = write("many.csv", csv.toString());
    Columns columns = Columns.ofText("text").withLabel("label");

    // About 1,000 rows of 100-odd characters: some 200 KB held, over a budget of 50 KB.
    DatasetException refused = assertThrows(DatasetException.class,
        () -> TabularSource.read(file, columns, TabularSource.FileOptions.CSV, 50_000));
    assertTrue(refused.getMessage().startsWith("many.csv does not fit in this JVM's memory: by line "),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("JAVA_OPTS=-Xmx") && refused.getMessage().contains("--sample "),
        refused.getMessage());
    // The advice taken: a random sample of the rows, in the file's order, fits; the same one each time.
    int advised = Integer.parseInt(refused.getMessage().replaceAll(".*--sample (\\d+)\\).*", "$1"));
    TabularSource sampled = TabularSource.read(file, columns, TabularSource.FileOptions.CSV.withSample(advised),
        50_000);
    assertEquals(advised, sampled.size());
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < sampled.size(); i++) {
      rows.add(Integer.parseInt(sampled.get(i).text().substring(4, sampled.get(i).text().indexOf(" x"))));
    }
    assertEquals(rows.stream().sorted().toList(), rows, "in the file's order");
    assertTrue(rows.get(0) < 100 && rows.get(rows.size() - 1) > 900, "drawn from the whole file: " + rows);
    assertEquals(List.of("even", "odd"), sampled.classes());
    assertEquals(ids(sampled), ids(TabularSource.read(file, columns,
        TabularSource.FileOptions.CSV.withSample(advised), 50_000)), "the same sample each time");

    TabularSource source = TabularSource.read(file, columns, TabularSource.FileOptions.CSV, 1_000_000);
    assertEquals(1_000, source.size());
    // A label value is held once, however many rows carry it.
    assertSame(source.label(0), source.label(2), "one String per label value");
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static List<String> ids(ExampleSource source) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      ids.add(source.get(i).id());
    }
    return ids;
  }
}
