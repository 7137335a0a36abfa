package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelimitersTest {
  @Test
  void shouldTellTabFromTheCommasOfFreeText() {
    // The SMS Spam Collection's layout: a label, a tab, a message full of commas (and a quote).
    assertEquals('\t', Delimiters.sniff(List.of(
        "ham\tGo until jurong point, crazy.. Available only in bugis n great world la e buffet...",
        "ham\tOk lar... Joking wif u oni...",
        "spam\tFree entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005. Text FA to 87121",
        "ham\tU dun say so early hor... U c already then say, \"I'm going\", ok?")));
  }

  @Test
  void shouldTellSemicolonsFromDecimalCommasByTheHeader() {
    assertEquals(';', Delimiters.sniff(List.of("fixed acidity;pH;quality", "7,4;3,51;5", "7,8;3,2;5")));
  }

  @Test
  void shouldKeepCommaForQuotedFieldsOneColumnAndTies() {
    assertEquals(',', Delimiters.sniff(List.of("text,label", "\"a; b; c\",x", "\"d|e\",y")));
    assertEquals(',', Delimiters.sniff(List.of("just one column", "of text")), "nothing splits: comma");
    assertEquals('|', Delimiters.sniff(List.of("a|b|c", "1|2|3")));
  }

  @Test
  void shouldSniffTheStartOfAReaderAndLeaveItWhereItWas() throws IOException {
    BufferedReader in = new BufferedReader(new StringReader("a\tb\n1\t2\n3\t4\n"), Delimiters.SNIFF_CHARS);
    assertEquals('\t', Delimiters.choose(Path.of("data"), in, Delimiters.AUTO));
    assertEquals("a\tb", in.readLine(), "read from the start again");
    assertEquals(';', Delimiters.choose(Path.of("data.tsv"), in, ';'), "given wins");
    assertEquals('\t', Delimiters.choose(Path.of("data.TSV.gz"), new BufferedReader(new StringReader("a,b,c")),
        Delimiters.AUTO), "the extension wins over the lines");
  }

  @Test
  void shouldParseTheFlagOrNameIt() {
    assertEquals(Delimiters.AUTO, Delimiters.parse("auto"));
    assertEquals('\t', Delimiters.parse("tab"));
    assertEquals('\t', Delimiters.parse("\\t"));
    assertEquals(';', Delimiters.parse(";"));
    assertEquals('|', Delimiters.parse("pipe"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Delimiters.parse("ab"));
    assertTrue(e.getMessage().startsWith("--delimiter must be auto, a single character"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Delimiters.parse("\""));
  }
}
