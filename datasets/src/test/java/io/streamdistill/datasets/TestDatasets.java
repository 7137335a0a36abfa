package io.streamdistill.datasets;

import java.nio.file.Path;

/**
 * The cache the tests that need the real data sets fetch into: the default cache directory, so that
 * repeated runs (and CI) download each data set once, unless {@code -Ddistill.cache.dir=...} is set.
 */
final class TestDatasets {
  private TestDatasets() {
  }

  static DatasetCache cache() {
    String dir = System.getProperty("distill.cache.dir");
    return dir == null || dir.isBlank() ? DatasetCache.atDefaultDirectory() : new DatasetCache(Path.of(dir));
  }
}
