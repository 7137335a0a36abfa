package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

  @Test
  void shouldReadRfc4180Quoting() throws IOException {
    // Built line by line: a text block cannot hold the three quotes that end "say ""hi""".
    List<String> records = readAll(String.join("\n",
        "a,b,c",
        "1,\"two, three\",\"say \"\"hi\"\"\"",
        "\"x",
        "y\",,\"\"",
        ""));
    assertEquals(List.of("1:[a, b, c]", "2:[1, two, three, say \"hi\"]", "3:[x\ny, , ]"), records);
  }

  @Test
  void shouldReadAgainTheLinesAStrayQuoteSwallowed() throws IOException {
    // Line 2 opens a quote that line 4 seems to close; the text after it shows the record is bad,
    // so lines 3 and 4 are records of their own.
    List<String> records = readAll("""
        a,b
        1,"oops
        2,fine
        3,"ok"
        """);
    assertEquals(List.of("1:[a, b]", "2:text after a closing quote (field 2)", "3:[2, fine]", "4:[3, ok]"),
        records);
  }

  @Test
  void shouldStopLookingForTheClosingQuoteAfterAThousandLines() throws IOException {
    StringBuilder csv = new StringBuilder("a,b\n1,\"never closed\n");
    for (int i = 0; i < 1500; i++) {
      csv.append(i).append(",x\n");
    }
    CsvReader reader = new CsvReader(new BufferedReader(new StringReader(csv.toString())));
    reader.readHeader();
    CsvReader.CsvRecord bad = reader.next();
    assertEquals(2, bad.line());
    assertEquals("a quoted field is not closed within 1000 lines", bad.error());
    int good = 0;
    for (CsvReader.CsvRecord r = reader.next(); r != null; r = reader.next()) {
      assertNull(r.error(), r.toString());
      good++;
    }
    assertEquals(1500, good, "nothing after the bad line is lost");
  }

  @Test
  void shouldBoundARecordAndALineByTheCharacterLimitAndKeepWhatFollows() throws IOException {
    // An unclosed quote whose lines add up to more than the limit, then a line longer than it.
    String csv = "a,b\n1,\"open\n" + "y".repeat(30) + "\n" + "z".repeat(30) + "\n2,ok\n"
        + "w".repeat(80) + "\n3,fine\n";
    CsvReader reader = new CsvReader(new StringReader(csv), 50);
    List<String> out = new ArrayList<>();
    out.add("1:" + reader.readHeader());
    for (CsvReader.CsvRecord r = reader.next(); r != null; r = reader.next()) {
      out.add(r.line() + ":" + (r.malformed() ? r.error() : r.fields()));
    }
    assertEquals(List.of("1:[a, b]",
        "2:a quoted field makes the record longer than 50 characters",
        "3:has 1 fields, the header has 2",
        "4:has 1 fields, the header has 2",
        "5:[2, ok]",
        "6:the line is longer than 50 characters",
        "7:[3, fine]"), out);
  }

  @Test
  void shouldRefuseAQuoteInsideAnUnquotedField() throws IOException {
    assertEquals(List.of("1:[a]", "2:a quote inside an unquoted field (field 1); quote the whole field and double"
        + " the quotes in it", "3:[ok]"), readAll("a\n5\"\nok\n"));
  }

  @Test
  void shouldSkipABomAndBlankLinesAndFailOnAMalformedHeader() throws IOException {
    assertEquals(List.of("1:[a, b]", "4:[1, 2]"), readAll("\uFEFFa,b\n\n  \n1,2\n"));
    CsvReader reader = new CsvReader(new BufferedReader(new StringReader("\"a,b\n")));
    DatasetException e = assertThrows(DatasetException.class, reader::readHeader);
    assertTrue(e.getMessage().startsWith("line 1 (the header) is malformed"), e.getMessage());
  }

  @Test
  void shouldReadOtherDelimitersWithQuotingAndTabWithout() throws IOException {
    assertEquals(List.of("1:[a, b]", "2:[1,5, x; y]", "3:has 3 fields, the header has 2"),
        readAll("a;b\n1,5;\"x; y\"\n1;2;3\n", ';'));
    // Tab-separated values have no quoting: quotes and commas are text, a record is a line.
    assertEquals(List.of("1:[label, text]", "2:[ham, say \"hi\", then go]", "3:[spam, \"free\" prize, \"now]"),
        readAll("label\ttext\nham\tsay \"hi\", then go\nspam\t\"free\" prize, \"now\n", '\t'));
  }

  private static List<String> readAll(String csv) throws IOException {
    return readAll(csv, ',');
  }

  private static List<String> readAll(String csv, char delimiter) throws IOException {
    CsvReader reader = new CsvReader(new BufferedReader(new StringReader(csv)), LineReader.DEFAULT_MAX_CHARS,
        delimiter);
    List<String> out = new ArrayList<>();
    out.add("1:" + reader.readHeader());
    for (CsvReader.CsvRecord r = reader.next(); r != null; r = reader.next()) {
      out.add(r.line() + ":" + (r.malformed() ? r.error() : r.fields()));
    }
    return out;
  }
}
