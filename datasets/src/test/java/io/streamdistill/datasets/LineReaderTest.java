package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  @Test
  void shouldEndLinesAtLfCrOrCrlfLikeBufferedReader() throws IOException {
    assertEquals(List.of("a", "b", "", "c", "d"), lines("a\nb\r\n\rc\rd", 100));
    assertEquals(List.of("a"), lines("a\n", 100));
    assertEquals(List.of(), lines("", 100));
  }

  @Test
  void shouldDropALineLongerThanTheLimitAndGoOnAfterIt() throws IOException {
    // Longer than the limit and than the reader's 64 Ki buffer: the line is read to its end, not kept.
    String giant = "x".repeat(200_000);
    LineReader in = new LineReader(new StringReader("short\n" + giant + "\r\nafter\n"), 1000);
    assertEquals("short", in.readLine());
    assertFalse(in.tooLong());
    assertEquals("", in.readLine());
    assertTrue(in.tooLong());
    assertEquals(200_000, in.length());
    assertEquals("after", in.readLine());
    assertFalse(in.tooLong());
    assertNull(in.readLine());
  }

  private static List<String> lines(String text, int max) throws IOException {
    LineReader in = new LineReader(new StringReader(text), max);
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lines.add(line);
    }
    return lines;
  }
}
