package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.TabularSource.Columns;
import io.streamdistill.datasets.TabularSource.FileOptions;
import io.streamdistill.schemas.WrittenNumbers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Structured records: named numeric and categorical fields, typed per column, from CSV and JSON Lines. */
class StructuredRecordsTest {
  private static final FieldType NUM = FieldType.NUMERIC;
  private static final FieldType CAT = FieldType.CATEGORICAL;

  // Network flows as KDD-99 writes them: no header; duration, protocol, service, flag, src_bytes,
  // dst_bytes, a rate, a numeric code, and the label.
  private static final String FLOWS = """
      0,tcp,http,SF,181,5450,0.00,1,normal.
      0,udp,private,SF,105,146,?,2,normal.
      2,tcp,smtp,S0,,0,1.00,2,neptune.
      0, icmp ,ecr_i,SF,1032,0,NA,1,smurf.
      """;

  @TempDir
  Path dir;

  @Test
  void shouldTypeEachColumnOfAHeaderlessCsvFromItsValues() throws IOException {
    Path file = write("flows.csv", FLOWS);

    TabularSource flows = TabularSource.read(file, Columns.ofAllFields().withLabel("c8"),
        FileOptions.DEFAULT.withoutHeader());

    assertEquals(types("c0", NUM, "c1", CAT, "c2", CAT, "c3", CAT, "c4", NUM, "c5", NUM, "c6", NUM, "c7", NUM),
        flows.fieldTypes());
    assertEquals(4, flows.size());
    assertEquals(fields("c0", 0.0, "c1", "tcp", "c2", "http", "c3", "SF", "c4", 181.0, "c5", 5450.0, "c6", 0.0,
        "c7", 1.0), flows.get(0).fields());
    assertNull(flows.get(1).fields().get("c6"), "? is missing");
    assertTrue(flows.get(1).fields().containsKey("c6"), "a missing field is there, as null");
    assertNull(flows.get(2).fields().get("c4"), "an empty value is missing");
    assertNull(flows.get(3).fields().get("c6"), "NA is missing");
    assertEquals("icmp", flows.get(3).fields().get("c1"), "values are stripped");
    assertEquals("normal.", flows.get(0).label());
    assertEquals(List.of("normal.", "neptune.", "smurf."), flows.classes());
    assertEquals("flows.csv:1", flows.get(0).id(), "the first line is data");
    assertNull(flows.get(0).text());
    assertNull(flows.get(0).vector());
    assertEquals(0, flows.skipped().count());
  }

  @Test
  void shouldReadNumbersWhoseThousandsAreGroupedByCommas() throws IOException {
    // As spreadsheets export amounts (quoted in a CSV); a decimal comma stays a category.
    Path file = write("customers.csv", """
        income,balance,rate,label
        "196,998",-12,"4,03",a
        998,"1,234,567.5","12,5",b
        "-2,500",0,"7,25",a
        """);

    TabularSource source = TabularSource.read(file,
        Columns.ofFields("income", "balance", "rate").withLabel("label"));

    assertEquals(types("income", NUM, "balance", NUM, "rate", CAT), source.fieldTypes());
    assertEquals(fields("income", 196_998.0, "balance", -12.0, "rate", "4,03"), source.get(0).fields());
    assertEquals(fields("income", 998.0, "balance", 1_234_567.5, "rate", "12,5"), source.get(1).fields());
    assertEquals(-2_500.0, source.get(2).fields().get("income"));
    // Forced numeric takes them too (it skipped every row before).
    TabularSource forced = TabularSource.read(file,
        Columns.ofFields("income", "balance").withLabel("label").withNumeric("income"));
    assertEquals(3, forced.size());
    assertEquals(0, forced.skipped().count());
    for (String notANumber : new String[] {"1,23", "12,3456", ",123", "1,234,56", "1.234,5"}) {
      assertTrue(Double.isNaN(WrittenNumbers.parse(notANumber)), notANumber);
    }
  }

  @Test
  void shouldReadDecimalCommasInAFileDelimitedBySemicolons() throws IOException {
    // As a spreadsheet set to French or German saves a CSV: semicolons, decimal commas, dots grouping thousands.
    Path file = write("kunden.csv", """
        einkommen;rate;stadt;label
        196.998,5;4,03;Köln;a
        998;12,5;Berlin;b
        -2.500;7.25;Köln;a
        """);

    TabularSource source = TabularSource.read(file, Columns.ofAllFields().withLabel("label"));

    assertEquals(types("einkommen", NUM, "rate", NUM, "stadt", CAT), source.fieldTypes());
    assertEquals(fields("einkommen", 196_998.5, "rate", 4.03, "stadt", "Köln"), source.get(0).fields());
    assertEquals(fields("einkommen", 998.0, "rate", 12.5, "stadt", "Berlin"), source.get(1).fields());
    assertEquals(fields("einkommen", -2_500.0, "rate", 7.25, "stadt", "Köln"), source.get(2).fields(),
        "a plain 7.25 is still 7.25; -2.500 is a thousands group there");
    assertEquals(1234.0, WrittenNumbers.parse("1,234", false), "a comma file: commas group thousands");
    assertEquals(1.234, WrittenNumbers.parse("1,234", true), "a semicolon file: a decimal comma");
  }

  @Test
  void shouldReadDecimalPointsInAFileDelimitedBySemicolonsThatWritesNoDecimalComma() throws IOException {
    // UCI's wine quality files: semicolons, decimal points. 0.076 and 1.001 are not 76 and 1001 there.
    Path file = write("winequality-white.csv", """
        "fixed acidity";"chlorides";"density";"quality"
        7;0.045;1.001;6
        6.3;0.049;0.994;6
        8.1;0.05;0.9951;5
        """);

    TabularSource source = TabularSource.read(file, Columns.ofAllFields().withLabel("quality"));

    assertEquals(fields("fixed acidity", 7.0, "chlorides", 0.045, "density", 1.001), source.get(0).fields());
    assertEquals(fields("fixed acidity", 6.3, "chlorides", 0.049, "density", 0.994), source.get(1).fields());
    assertEquals(0.5, WrittenNumbers.parse("0.500", true), "no thousands group starts with 0");
  }

  @Test
  void shouldReadAmountsWithTheirCurrencyAndPercentSignsAsNumbersAndLeaveACodedFirstColumnOut() throws IOException {
    // As a spreadsheet exports a customer table: "$59,294.50", "28%"; ids as a letter and a number.
    StringBuilder csv = new StringBuilder("customer,balance,rate,churned\n");
    for (int i = 0; i < 40; i++) {
      csv.append(String.format(java.util.Locale.ROOT, "C%05d,\"$%,d.50\",%d%%,%s%n", i, 1_000 * i, i % 30,
          i < 20 ? "yes" : "no"));
    }
    Path file = write("customers.csv", csv.toString());
    List<String> notes = new java.util.ArrayList<>();

    ExampleSource source = new SourceOptions().open(file.toString(), notes::add);

    assertEquals(types("balance", NUM, "rate", NUM), source.fieldTypes());
    assertEquals(fields("balance", 3_000.5, "rate", 0.03), source.get(3).fields());
    assertTrue(notes.get(0).contains("left out: customer (an id)"), notes.toString());
    assertEquals(-12.0, WrittenNumbers.parse("-€12"), 0.0);
    assertEquals(Double.NaN, WrittenNumbers.parse("$"), 0.0);
  }

  @Test
  void shouldKeepNumbersAsWrittenInACategoricalColumn() throws IOException {
    // 'port' has a non-number, so all its values are categories; 'code' is forced categorical.
    Path file = write("mixed.csv", """
        port,code,bytes,label
        80,01,10,a
        http-alt,2,20.5,b
        443,3,1e3,a
        """);

    TabularSource source = TabularSource.read(file,
        Columns.ofFields("port", "code", "bytes").withLabel("label").withCategorical("code"));

    assertEquals(types("port", CAT, "code", CAT, "bytes", NUM), source.fieldTypes());
    assertEquals(fields("port", "80", "code", "01", "bytes", 10.0), source.get(0).fields());
    assertEquals(fields("port", "http-alt", "code", "2", "bytes", 20.5), source.get(1).fields());
    assertEquals(1000.0, source.get(2).fields().get("bytes"));
  }

  @Test
  void shouldNameTheColumnsFromAFile() throws IOException {
    Path file = write("flows.csv", FLOWS);
    Path names = write("flows.names", """
        # KDD-99 style: the name before the colon
        duration: continuous.
        protocol_type: symbolic.
        service, flag
        src_bytes
        dst_bytes: continuous.
        rate
        code
        label
        """);

    ExampleSource flows = options("--no-header", "--columns-file", names.toString(), "--label-column", "label",
        "--field-columns", "protocol_type,src_bytes,code", "--categorical-columns", "code").open(file.toString());

    assertEquals(types("protocol_type", CAT, "src_bytes", NUM, "code", CAT), flows.fieldTypes());
    assertEquals(fields("protocol_type", "udp", "src_bytes", 105.0, "code", "2"), flows.get(1).fields());
    assertEquals("neptune.", flows.label(2));
  }

  @Test
  void shouldReportABadRowByFileLineAndColumnAndKeepTheRowsAfterIt() throws IOException {
    Path file = write("flows.csv", """
        duration,protocol,src_bytes,label
        0,tcp,181,normal.
        1,udp,lots,normal.
        2,tcp,12,neptune.,extra
        3,"tcp,17,normal.
        4,icmp,1032,smurf.
        5,tcp,0,normal.
        """);

    TabularSource source = TabularSource.read(file,
        Columns.ofAllFields().withLabel("label").withNumeric("src_bytes"));

    assertEquals(List.of(0.0, 4.0, 5.0), column(source, "duration"), "every good row, the ones after the bad too");
    assertEquals(List.of(
        "flows.csv line 3, column 'src_bytes': 'lots' is not a number (the column is numeric)",
        "flows.csv line 4: malformed CSV: has 5 fields, the header has 4",
        "flows.csv line 5: malformed CSV: a quoted field is never closed"), source.skipped().firstReasons());
    assertEquals(3, source.skipped().count());
    assertEquals(types("duration", NUM, "protocol", CAT, "src_bytes", NUM), source.fieldTypes());
  }

  @Test
  void shouldTypeJsonLinesFieldsAndTakeAnArrayWhereAValueBelongsAsMissing() throws IOException {
    Path file = write("flows.jsonl", """
        {"id": "f1", "proto": "tcp", "bytes": 181, "ok": true, "y": "normal"}
        {"id": "f2", "proto": "udp", "bytes": "105", "y": "attack", "late": 3}
        {"id": "f3", "proto": ["tcp"], "bytes": 1, "y": "normal"}
        {"id": "f4", "proto": null, "bytes": 2.5, "ok": false, "y": "normal"}
        """);

    TabularSource source = TabularSource.read(file, Columns.ofAllFields().withLabel("y").withId("id"));

    assertEquals(types("proto", CAT, "bytes", NUM, "ok", CAT, "late", NUM), source.fieldTypes());
    assertEquals(fields("proto", "tcp", "bytes", 181.0, "ok", "true", "late", null), source.get(0).fields(),
        "a field first seen on a later line is missing on the earlier ones");
    assertEquals(fields("proto", "udp", "bytes", 105.0, "ok", null, "late", 3.0), source.get(1).fields());
    // --fields-all takes values: an array is not one, so it is missing there and the line is kept.
    assertEquals(fields("proto", null, "bytes", 1.0, "ok", null, "late", null), source.get(2).fields());
    assertEquals(fields("proto", null, "bytes", 2.5, "ok", "false", "late", null), source.get(3).fields());
    assertEquals(0, source.skipped().count(), source.skipped().toString());
  }

  @Test
  void shouldBringNestedObjectsKeysUpJoinedByADot() throws IOException {
    Path file = write("tickets.jsonl", """
        {"ticket": {"subject": "cannot log in", "meta": {"channel": "mail"}}, "size": [1, 2], "queue": "login"}
        {"ticket": {"subject": "charged twice"}, "ticket.priority": 2, "queue": "billing"}
        """);

    TabularSource source = TabularSource.read(file, Columns.ofAllFields().withLabel("queue"));

    assertEquals(types("ticket.subject", CAT, "ticket.meta.channel", CAT, "ticket.priority", NUM),
        source.fieldTypes());
    assertEquals(fields("ticket.subject", "cannot log in", "ticket.meta.channel", "mail", "ticket.priority", null),
        source.get(0).fields(), "an array stays a value of its own key (no field: missing)");
    assertEquals(fields("ticket.subject", "charged twice", "ticket.meta.channel", null, "ticket.priority", 2.0),
        source.get(1).fields());
    TabularSource subjects = TabularSource.read(file, Columns.ofText("ticket.subject").withLabel("queue"));
    assertEquals("charged twice", subjects.get(1).text());
  }

  @Test
  void shouldNameBlankAndRepeatedHeaderNamesAsPandasDoes() throws IOException {
    // Kaggle's spam.csv: "v1,v2,,," with the last three columns nearly always empty.
    Path file = write("spam.csv", """
        v1,v2,,,v2
        ham,see you at five,,,x
        spam,WINNER call now,"more",,y
        """);

    TabularSource source = TabularSource.read(file, Columns.ofAllFields().withLabel("v1"));

    assertEquals(List.of("v2", "Unnamed: 2", "Unnamed: 3", "v2.1"), List.copyOf(source.fieldTypes().keySet()));
    assertEquals("WINNER call now", source.get(1).fields().get("v2"));
    assertEquals("more", source.get(1).fields().get("Unnamed: 2"));
    assertEquals("y", source.get(1).fields().get("v2.1"));
  }

  @Test
  void shouldReadAGzippedCsvAndSkipALineLongerThanTheLimit() throws IOException {
    String longLine = "9,tcp," + "x".repeat(500) + ",normal.";
    Path file = dir.resolve("flows.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(("0,tcp,1,normal.\n" + longLine + "\n1,udp,2,attack.\n").getBytes(StandardCharsets.UTF_8));
    }

    TabularSource source = TabularSource.read(file, Columns.ofAllFields().withLabel("c3"),
        FileOptions.DEFAULT.withoutHeader().withMaxLineChars(100));

    assertEquals(List.of(0.0, 1.0), column(source, "c0"));
    assertEquals(List.of("flows.csv.gz line 2: malformed CSV: the line is longer than 100 characters"),
        source.skipped().firstReasons());
  }

  @Test
  void shouldRefuseAWholeFileWhoseColumnsDoNotMatch() throws IOException {
    Path file = write("flows.csv", FLOWS);
    DatasetException noColumn = assertThrows(DatasetException.class, () -> TabularSource.read(file,
        Columns.ofAllFields().withLabel("label"), FileOptions.DEFAULT.withoutHeader()));
    assertTrue(noColumn.getMessage().endsWith("flows.csv has no column label; its columns are: c0, c1, c2, c3, c4, c5,"
        + " c6, c7, c8"), noColumn.getMessage());

    DatasetException header = assertThrows(DatasetException.class, () -> TabularSource.read(file,
        Columns.ofAllFields().withLabel("c8")));
    assertTrue(header.getMessage().contains("flows.csv has no column c8; its header has: 0, tcp, http"),
        header.getMessage());
    assertTrue(header.getMessage().contains("if its first line is data, not names, give --no-header"),
        header.getMessage());

    DatasetException count = assertThrows(DatasetException.class, () -> TabularSource.read(file,
        Columns.ofAllFields(), FileOptions.DEFAULT.withoutHeader().withColumnNames(List.of("a", "b"))));
    assertTrue(count.getMessage().endsWith("flows.csv: line 1 has 9 fields but 2 column names are given; give one"
        + " name per column"), count.getMessage());

    DatasetException missing = assertThrows(DatasetException.class, () -> TabularSource.read(dir.resolve("no.csv"),
        Columns.ofAllFields()));
    assertTrue(missing.getMessage().endsWith("no.csv does not exist"), missing.getMessage());
  }

  @Test
  void shouldTellTheFieldTypesOfExamplesInMemory() {
    ExampleSource split = ExampleSource.of("split", List.of(
        Example.ofFields("a", fields("proto", "tcp", "bytes", 1.0), "x"),
        Example.ofFields("b", fields("proto", null, "bytes", null, "port", "80"), "y")), List.of("x", "y"));
    assertEquals(types("proto", CAT, "bytes", NUM, "port", CAT), split.fieldTypes());
  }

  static SourceOptions options(String... args) {
    return picocli.CommandLine.populateCommand(new SourceOptions(), args);
  }

  private static List<Object> column(ExampleSource source, String field) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < source.size(); i++) {
      values.add(source.get(i).fields().get(field));
    }
    return values;
  }

  private static Map<String, FieldType> types(Object... pairs) {
    Map<String, FieldType> types = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      types.put((String) pairs[i], (FieldType) pairs[i + 1]);
    }
    return types;
  }

  private static Map<String, Object> fields(Object... pairs) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      fields.put((String) pairs[i], pairs[i + 1]);
    }
    return fields;
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
