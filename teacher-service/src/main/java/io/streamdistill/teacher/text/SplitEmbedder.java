package io.streamdistill.teacher.text;

import io.streamdistill.teacher.model.TeacherException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Embeds the texts of the text trainer's splits with the frozen encoder, taking each embedding from
 * the {@link EmbeddingCache} when it holds the same id and text, and printing a progress line every
 * few seconds. Stateless; runs in the calling thread.
 */
final class SplitEmbedder {
  // A progress line this often while embedding; the embedding cache is saved every so many texts,
  // so a killed run loses little.
  private static final long PROGRESS_NANOS = Duration.ofSeconds(5).toNanos();
  private static final int CHECKPOINT_EVERY = 1000;

  private SplitEmbedder() {}

  /**
   * Every text's embedding, per split.
   *
   * @param splits the embeddings of each split, in the order of the splits and of their texts
   * @param computed texts the encoder embedded
   * @param cached texts whose embedding came from the cache
   */
  record Embedded(float[][][] splits, int computed, int cached) {}

  /**
   * The cache file for {@code encoder}'s embeddings with these settings, under {@link
   * TextTeacherTrainer.Options#cacheDir()}; null when the options name no cache.
   */
  static Path cacheFile(TextTeacherTrainer.Options options, TextEncoder encoder, String fingerprint) {
    return options.cacheDir() == null ? null : options.cacheDir().resolve("embeddings")
        .resolve(cacheName(encoder, fingerprint, options));
  }

  private static String cacheName(TextEncoder encoder, String fingerprint, TextTeacherTrainer.Options options) {
    // The MiniLM name is the one the first text teacher used, so its cached embeddings stay valid.
    String prefix = encoder.pooling() == OnnxTextModel.Pooling.MEAN ? "minilm-" : "cls-";
    return prefix + fingerprint.substring(0, 16) + "-t" + options.maxTokens() + "-b" + options.batchSize() + ".bin";
  }

  /**
   * Every text's embedding, per split, from the cache when it holds the same id and text, else from
   * the model; a progress line every few seconds.
   *
   * @param cacheFile the embedding cache; null for none
   */
  static Embedded embed(OnnxTextModel model, List<LabelledTexts> splits, int batchSize, Path cacheFile,
      PrintStream out) {
    // The width, from one text, before the cache (whose file records it) is opened.
    int width;
    try (OnnxTextModel.Session session = model.newSession()) {
      width = session.embed(List.of("width probe"))[0].length;
    }
    EmbeddingCache cache = cacheFile == null ? null : EmbeddingCache.open(cacheFile, width);
    float[][][] result = new float[splits.size()][][];
    record Item(int split, int index, String text, long hash) {}
    List<Item> missing = new ArrayList<>();
    int total = 0;
    for (int s = 0; s < splits.size(); s++) {
      LabelledTexts data = splits.get(s);
      result[s] = new float[data.ids().size()][];
      total += data.ids().size();
      for (int i = 0; i < data.ids().size(); i++) {
        String text = data.texts().get(i);
        long hash = EmbeddingCache.textHash(text);
        float[] cached = cache == null ? null : cache.get(data.ids().get(i), hash);
        if (cached != null) {
          result[s][i] = cached;
        } else {
          missing.add(new Item(s, i, text, hash));
        }
      }
    }
    if (missing.isEmpty()) {
      out.printf(Locale.ROOT, "All %d embeddings from the cache %s%n", total, cacheFile);
      return new Embedded(result, 0, total);
    }
    // Similar lengths side by side: a batch is padded to its longest text, so this wastes least.
    missing.sort(Comparator.comparingInt((Item item) -> item.text().length()).thenComparingInt(Item::split)
        .thenComparingInt(Item::index));
    out.printf(Locale.ROOT, "Embedding %d texts (%d from the cache), %d per call...%n", missing.size(),
        total - missing.size(), batchSize);
    long started = System.nanoTime();
    long nextProgress = started + PROGRESS_NANOS;
    int done = 0;
    int nextCheckpoint = CHECKPOINT_EVERY;
    try (OnnxTextModel.Session session = model.newSession()) {
      for (int from = 0; from < missing.size(); from += batchSize) {
        if (Thread.currentThread().isInterrupted()) {
          throw new TeacherException("embedding the teacher's texts was interrupted after " + done + " of "
              + missing.size());
        }
        List<Item> batch = missing.subList(from, Math.min(missing.size(), from + batchSize));
        float[][] embeddings = session.embed(batch.stream().map(Item::text).toList());
        for (int k = 0; k < batch.size(); k++) {
          Item item = batch.get(k);
          result[item.split()][item.index()] = embeddings[k];
          if (cache != null) {
            cache.put(splits.get(item.split()).ids().get(item.index()), item.hash(), embeddings[k]);
          }
        }
        done += batch.size();
        long now = System.nanoTime();
        if (now >= nextProgress) {
          nextProgress = now + PROGRESS_NANOS;
          double rate = done / ((now - started) / 1e9);
          out.printf(Locale.ROOT, "  embedded %d of %d (%.1f texts/s, about %d s left)%n", done, missing.size(), rate,
              Math.round((missing.size() - done) / rate));
        }
        if (cache != null && done >= nextCheckpoint) {
          nextCheckpoint += CHECKPOINT_EVERY;
          cache.save();
        }
      }
    }
    if (cache != null) {
      cache.save();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    out.printf(Locale.ROOT, "Embedded %d texts in %.1f s (%.1f texts/s)%n", missing.size(), seconds,
        missing.size() / seconds);
    return new Embedded(result, missing.size(), total - missing.size());
  }
}
