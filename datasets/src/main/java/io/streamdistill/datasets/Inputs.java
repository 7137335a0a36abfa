package io.streamdistill.datasets;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/** Opens the files of data sets: gzipped or not, whatever their name says. */
final class Inputs {
  private Inputs() {
  }

  /**
   * The bytes of {@code file}, gunzipped when it starts with the gzip magic bytes, or bunzipped with bzip2's (the
   * fastText review sets ship as {@code train.ft.txt.bz2}), or decompressed with Zstandard's (corpora shipped as
   * {@code .jsonl.zst}). The caller closes it.
   */
  static InputStream open(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      in.mark(4);
      int b0 = in.read();
      int b1 = in.read();
      int b2 = in.read();
      int b3 = in.read();
      in.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      }
      if (b0 == 'B' && b1 == 'Z' && b2 == 'h' && b3 >= '1' && b3 <= '9') {
        return new BufferedInputStream(new BZip2CompressorInputStream(in, true), 1 << 16);
      }
      if (b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd) {
        return new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
      }
      return in;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** How many bytes {@link #openText} looks at to tell UTF-8 from a legacy encoding. */
  static final int SNIFF_BYTES = 1 << 16;

  /**
   * The text of {@code file} (gunzipped if need be), in the encoding {@link #charsetOf} tells from its first
   * {@value #SNIFF_BYTES} bytes, with a warning when it is windows-1252; malformed bytes become U+FFFD.
   */
  static Reader openText(Path file) throws IOException {
    Charset charset = charsetOf(head(file, SNIFF_BYTES));
    if (charset.equals(WINDOWS_1252)) {
      LOGGER.atWarn().addKeyValue("file", file).log("not UTF-8: read as windows-1252 (Latin-1); save it as UTF-8"
          + " if its letters come out wrong");
    }
    return new InputStreamReader(open(file), charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
  }

  /**
   * The encoding of text that starts with {@code head}: UTF-16 after its byte order mark (Excel's "Unicode text",
   * PowerShell's files; the decoder reads the mark), else UTF-8 when the bytes are valid UTF-8, else windows-1252
   * (Latin-1 and the Windows letters: what Excel writes in much of Europe).
   */
  static Charset charsetOf(byte[] head) {
    return isUtf16(head) ? StandardCharsets.UTF_16 : looksLikeUtf8(head) ? StandardCharsets.UTF_8 : WINDOWS_1252;
  }

  /** Whether {@code head} starts with a UTF-16 byte order mark, either way round. */
  static boolean isUtf16(byte[] head) {
    return head.length >= 2 && ((head[0] == (byte) 0xFF && head[1] == (byte) 0xFE)
        || (head[0] == (byte) 0xFE && head[1] == (byte) 0xFF));
  }

  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
  private static final org.slf4j.Logger LOGGER = TabularSource.LOGGER;

  /** Whether {@code bytes} are valid UTF-8, a multi-byte character cut at their end allowed. */
  static boolean looksLikeUtf8(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(ByteBuffer.wrap(bytes), out, false);
    return !result.isError();
  }

  /** The first {@code n} bytes of {@code file} after gunzipping (fewer when it is shorter). */
  static byte[] head(Path file, int n) throws IOException {
    try (InputStream in = open(file)) {
      return in.readNBytes(n);
    }
  }

  /** The file name without a trailing {@code .gz} or {@code .bz2}. */
  static String baseName(Path file) {
    return baseName(file.getFileName().toString());
  }

  /** {@code name} without a trailing {@code .gz}, {@code .bz2} or {@code .zst}. */
  static String baseName(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.endsWith(".gz") ? name.substring(0, name.length() - 3)
        : lower.endsWith(".bz2") || lower.endsWith(".zst") ? name.substring(0, name.length() - 4) : name;
  }
}
