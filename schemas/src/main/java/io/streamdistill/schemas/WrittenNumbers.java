package io.streamdistill.schemas;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a structured record's field value written as text reads as a number: the one rule the file readers (a
 * CSV's cells), the featurizers of students and teachers (an event's or a request's string values) and the edge
 * share, so that what a model was trained on from a file is what it is asked with. Stateless.
 *
 * <p>A number written plainly ({@code 196998.5}, {@code -3e4}); with commas grouping its thousands ({@code
 * 196,998}, {@code 1,234,567.89}: how spreadsheets export amounts); with a currency sign before it ({@code
 * $59,294.50}, {@code -€12}); with a percent sign after it ({@code 28%} is 0.28). Surrounding blanks are
 * ignored. Not a number: {@code NaN}, {@code Infinity}, hex, {@code 1f}, and a lone decimal comma ({@code 4,03}:
 * one comma and a group of three digits would be ambiguous between the two) unless the caller knows that its
 * source writes decimal commas ({@link #parse(String, boolean)}).
 */
public final class WrittenNumbers {
  /** A decimal number written plainly; {@code Double.parseDouble} alone would also take "NaN", "0x1p3", "1f". */
  public static final Pattern PLAIN = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  /** A sign, a currency symbol, the amount. */
  private static final Pattern CURRENCY = Pattern.compile("([+-]?)\\s*[$€£¥₹]\\s*(\\d.*)");
  private static final Pattern GROUPED = Pattern.compile("[+-]?\\d{1,3}(,\\d{3})+(\\.\\d+)?");
  private static final Pattern DOT_GROUPED = Pattern.compile("[+-]?[1-9]\\d{0,2}(\\.\\d{3})+");
  private static final Pattern DECIMAL_COMMA = Pattern.compile("[+-]?(\\d{1,3}(\\.\\d{3})+|\\d+),\\d+");

  private WrittenNumbers() {}

  /** The number {@code value} writes, or NaN when it writes none (nor a finite one: {@code 1e999}). */
  public static double parse(String value) {
    return parse(value, false);
  }

  /**
   * As {@link #parse(String)}, or, with {@code decimalComma} (a CSV delimited by semicolons, as spreadsheets set to
   * most European languages write one), a comma is the decimal point and dots group the thousands: {@code 4,03},
   * {@code -1.234,5}, {@code 2.500} (2500: a dot before three digits groups them there). Any other number is read
   * plainly ({@code 7.25} is still 7.25).
   */
  public static double parse(String value, boolean decimalComma) {
    value = value.strip();
    if (value.endsWith("%")) {
      double percent = parse(value.substring(0, value.length() - 1), decimalComma);
      return percent / 100; // NaN stays NaN
    }
    Matcher currency = CURRENCY.matcher(value);
    if (currency.matches()) {
      value = currency.group(1) + currency.group(2);
    }
    String plain = value;
    if (decimalComma && (DECIMAL_COMMA.matcher(value).matches() || DOT_GROUPED.matcher(value).matches())) {
      plain = value.replace(".", "").replace(',', '.');
    } else if (!PLAIN.matcher(value).matches()) {
      if (!decimalComma && GROUPED.matcher(value).matches()) {
        plain = value.replace(",", "");
      } else {
        return Double.NaN;
      }
    }
    double number = Double.parseDouble(plain);
    return Double.isFinite(number) ? number : Double.NaN;
  }
}
