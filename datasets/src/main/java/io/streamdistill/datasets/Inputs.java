package io.streamdistill.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens the files of data sets: gzipped or not, whatever their name says. */
final class Inputs {
  private Inputs() {
  }

  /** The bytes of {@code file}, gunzipped when it starts with the gzip magic bytes. The caller closes it. */
  static InputStream open(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      }
      return in;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The text of {@code file} as UTF-8 (gunzipped if need be); malformed bytes become U+FFFD. */
  static Reader openText(Path file) throws IOException {
    return new InputStreamReader(open(file), StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
  }

  /** The first {@code n} bytes of {@code file} after gunzipping (fewer when it is shorter). */
  static byte[] head(Path file, int n) throws IOException {
    try (InputStream in = open(file)) {
      return in.readNBytes(n);
    }
  }

  /** The file name without a trailing {@code .gz}. */
  static String baseName(Path file) {
    String name = file.getFileName().toString();
    return name.toLowerCase(java.util.Locale.ROOT).endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
  }
}
