package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk embedding cache. */
class EmbeddingCacheTest {
  @TempDir
  Path dir;

  @Test
  void shouldGiveBackWhatWasSavedForTheSameIdAndText() {
    Path file = dir.resolve("embeddings/cache.bin");
    EmbeddingCache cache = EmbeddingCache.open(file, 3);
    long hash = EmbeddingCache.textHash("hello");
    cache.put("a", hash, new float[] {1, 2, 3});
    cache.save();

    EmbeddingCache reopened = EmbeddingCache.open(file, 3);
    assertEquals(1, reopened.size());
    assertArrayEquals(new float[] {1, 2, 3}, reopened.get("a", hash));
  }

  @Test
  void shouldMissWhenTheTextOfAnIdChanged() {
    EmbeddingCache cache = EmbeddingCache.open(dir.resolve("cache.bin"), 3);
    cache.put("a", EmbeddingCache.textHash("hello"), new float[] {1, 2, 3});
    assertNull(cache.get("a", EmbeddingCache.textHash("hello, changed")));
    assertNull(cache.get("b", EmbeddingCache.textHash("hello")));
  }

  @Test
  void shouldStartEmptyFromAFileItCannotRead() throws IOException {
    Path file = dir.resolve("cache.bin");
    Files.writeString(file, "garbage");
    assertEquals(0, EmbeddingCache.open(file, 3).size());
  }

  @Test
  void shouldStartEmptyFromACacheOfAnotherWidth() {
    Path file = dir.resolve("cache.bin");
    EmbeddingCache cache = EmbeddingCache.open(file, 3);
    cache.put("a", 1, new float[] {1, 2, 3});
    cache.save();
    assertEquals(0, EmbeddingCache.open(file, 4).size());
  }
}
