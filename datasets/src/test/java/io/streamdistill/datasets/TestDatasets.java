package io.streamdistill.datasets;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * What the module's tests share: the cache the tests that need the real data sets fetch into (the
 * default cache directory, so that repeated runs and CI download each data set once, unless
 * {@code -Ddistill.cache.dir=...} is set), and IDX files written for a test.
 */
final class TestDatasets {
  private TestDatasets() {
  }

  static DatasetCache cache() {
    String dir = System.getProperty("distill.cache.dir");
    return dir == null || dir.isBlank() ? DatasetCache.atDefaultDirectory() : new DatasetCache(Path.of(dir));
  }

  /** Writes an IDX file: the magic number, the dimensions, then {@code data} as it is; gzipped or not. */
  static Path writeIdx(Path file, int magic, int[] dims, byte[] data, boolean gzip) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int dim : dims) {
        out.writeInt(dim);
      }
      out.write(data);
    }
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(bytes.toByteArray());
    }
    return file;
  }
}
