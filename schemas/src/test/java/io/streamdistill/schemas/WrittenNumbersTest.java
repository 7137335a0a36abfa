package io.streamdistill.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WrittenNumbersTest {
  @Test
  void shouldReadNumbersAsSpreadsheetsWriteThem() {
    assertEquals(196_998.5, WrittenNumbers.parse("196998.5"));
    assertEquals(-30_000.0, WrittenNumbers.parse(" -3e4 "));
    assertEquals(1_234_567.89, WrittenNumbers.parse("1,234,567.89"));
    assertEquals(59_294.5, WrittenNumbers.parse("$59,294.50"));
    assertEquals(-12.0, WrittenNumbers.parse("-€12"));
    assertEquals(0.28, WrittenNumbers.parse("28%"), 1e-12);
    assertEquals(0.05, WrittenNumbers.parse("5 %"), 1e-12);
  }

  @Test
  void shouldReadADecimalCommaOnlyWhereTheSourceWritesThem() {
    assertEquals(1234.0, WrittenNumbers.parse("1,234", false), "commas group thousands");
    assertEquals(1.234, WrittenNumbers.parse("1,234", true), "a decimal comma");
    assertEquals(-1234.5, WrittenNumbers.parse("-1.234,5", true));
    assertEquals(2500.0, WrittenNumbers.parse("2.500", true), "a dot before three digits groups them");
    assertEquals(0.5, WrittenNumbers.parse("0.500", true), "no thousands group starts with 0");
    assertEquals(7.25, WrittenNumbers.parse("7.25", true), "any other number read plainly");
  }

  @Test
  void shouldReadNoNumberFromWhatWritesNone() {
    for (String none : new String[] {"NaN", "Infinity", "0x1p3", "1f", "1e999", "$", "", "%", "abc", "4,03",
        "1,23", "12,3456", ",123", "1,234,56", "1.234,5"}) {
      assertTrue(Double.isNaN(WrittenNumbers.parse(none)), none);
    }
  }
}
