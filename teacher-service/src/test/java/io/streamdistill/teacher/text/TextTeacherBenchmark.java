package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.SpamAssassinSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Encoder latency and throughput on real mails, for batch sizes 1, 8 and 32, in the corpus' order
 * (what the service sees) and sorted by length (what the trainer does). Run with
 * {@code mvn -pl teacher-service test -Dtest=TextTeacherBenchmark}; {@code -Dbenchmark.threads=N} sets
 * ONNX Runtime's threads (default: one per core).
 *
 * <p>Not a test: it asserts only that the runs completed; the figures are for people.
 */
class TextTeacherBenchmark {
  private static final int MAILS = 256;

  @Test
  void measureEncoderLatencyAndThroughputByBatchSize() throws Exception {
    SpamAssassinSource corpus = SpamAssassinSource.load(DatasetCache.atDefaultDirectory());
    List<String> mails = new ArrayList<>();
    // Every k-th mail: ham and spam of every group, in a fixed order.
    int step = corpus.size() / MAILS;
    for (int i = 0; i < MAILS; i++) {
      mails.add(corpus.get(i * step).text());
    }
    List<String> sorted = new ArrayList<>(mails);
    sorted.sort(Comparator.comparingInt(String::length));
    Path dir = Files.createTempDirectory("text-teacher-benchmark");
    int threads = Integer.getInteger("benchmark.threads", 0);
    EncoderFiles files = EncoderFiles.copyBundledTo(dir);
    try (OnnxTextModel encoder = OnnxTextModel.open(files.model(), files.tokenizer(), OnnxTextModel.DEFAULT_MAX_LENGTH,
            OnnxTextModel.Pooling.MEAN, true, threads);
        OnnxTextModel.Session session = encoder.newSession()) {
      session.embed(mails.subList(0, 8)); // warm-up: ONNX Runtime plans its memory on the first calls
      System.out.printf("%nMiniLM-q encoder, max %d tokens, %d real mails, %d cores, %s ONNX Runtime threads%n",
          encoder.maxLength(), MAILS, Runtime.getRuntime().availableProcessors(), threads == 0 ? "default" : threads);
      System.out.printf("%-8s %-10s %14s %12s%n", "batch", "order", "ms per batch", "mails/s");
      for (int batch : new int[] {1, 8, 32}) {
        for (String order : new String[] {"corpus", "by length"}) {
          List<String> texts = order.equals("corpus") ? mails : sorted;
          long started = System.nanoTime();
          int batches = 0;
          for (int from = 0; from < texts.size(); from += batch) {
            float[][] out = session.embed(texts.subList(from, Math.min(texts.size(), from + batch)));
            assertEquals(Math.min(batch, texts.size() - from), out.length);
            batches++;
          }
          double seconds = (System.nanoTime() - started) / 1e9;
          System.out.printf(Locale.ROOT, "%-8d %-10s %14.1f %12.1f%n", batch, order, seconds * 1000 / batches,
              texts.size() / seconds);
        }
      }
    } finally {
      for (Path file : List.of(dir.resolve(EncoderFiles.MODEL_FILE), dir.resolve(EncoderFiles.TOKENIZER_FILE), dir)) {
        Files.deleteIfExists(file);
      }
    }
  }
}
