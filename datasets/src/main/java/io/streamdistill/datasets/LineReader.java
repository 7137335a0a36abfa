package io.streamdistill.datasets;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines like {@link java.io.BufferedReader#readLine()} (ended by LF, CR or CRLF) but never
 * holds more than {@code maxChars} characters of one: a longer line is read to its end, dropped and
 * reported by {@link #tooLong()}, so that one giant line (a binary file, a missing newline) cannot
 * exhaust the memory.
 *
 * <p>Not thread-safe; does not own the reader (the caller closes it).
 */
final class LineReader {
  /** The default longest line kept: one mebi-character (2 MiB of chars). */
  static final int DEFAULT_MAX_CHARS = 1 << 20;

  private final Reader in;
  private final int maxChars;
  private final char[] buffer = new char[1 << 16];
  private final StringBuilder line = new StringBuilder();
  private int position;
  private int limit;
  private boolean skipLineFeed;
  private boolean tooLong;
  private long length;

  LineReader(Reader in, int maxChars) {
    if (maxChars <= 0) {
      throw new IllegalArgumentException("maxChars must be positive, was " + maxChars);
    }
    this.in = in;
    this.maxChars = maxChars;
  }

  int maxChars() {
    return maxChars;
  }

  /**
   * The next line without its end, or null at the end of the input. When the line was longer than
   * the limit, returns an empty string and {@link #tooLong()} is true.
   */
  String readLine() throws IOException {
    line.setLength(0);
    tooLong = false;
    length = 0;
    boolean any = false;
    while (true) {
      if (position >= limit && !fill()) {
        return any ? line.toString() : null;
      }
      if (skipLineFeed) {
        skipLineFeed = false;
        if (buffer[position] == '\n') {
          position++;
          continue;
        }
      }
      any = true;
      int start = position;
      while (position < limit && buffer[position] != '\n' && buffer[position] != '\r') {
        position++;
      }
      int n = position - start;
      length += n;
      if (!tooLong) {
        if (line.length() + n > maxChars) {
          tooLong = true;
          line.setLength(0);
          line.trimToSize();
        } else {
          line.append(buffer, start, n);
        }
      }
      if (position < limit) {
        skipLineFeed = buffer[position] == '\r';
        position++;
        return line.toString();
      }
    }
  }

  /** Whether the line last returned was longer than the limit (and so returned empty). */
  boolean tooLong() {
    return tooLong;
  }

  /** The length in characters of the line last returned, even when it was too long to keep. */
  long length() {
    return length;
  }

  private boolean fill() throws IOException {
    int n;
    do {
      n = in.read(buffer, 0, buffer.length);
    } while (n == 0);
    if (n < 0) {
      position = 0;
      limit = 0;
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
