package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.student.NgramFeaturizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How good a teacher the mail preset's recipe can be: a logistic head (L-BFGS, as {@code
 * train-teacher} trains it) over the frozen MiniLM embedding alone (the preset), over the hashed
 * n-grams the student reads alone, and over both side by side (each block scaled to unit length), on
 * the SpamAssassin split the preset uses. The n-gram student on hard labels makes about 27 test errors
 * (the methods benchmark): this says how much better than that a teacher of this data can be. Prints
 * each row and writes {@code target/benchmarks/text-head.json}.
 *
 * <pre>
 * mvn -B -o test -pl teacher-service -Dtest=TextHeadBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbenchmark.modes=emb,ngram,both] [-Dbenchmark.l2=1e-4,1e-5] [-Dbenchmark.buckets=16384]
 * </pre>
 */
class TextHeadBenchmark {
  @Test
  void shouldMeasureHeadsOverEmbeddingsAndNgrams() throws Exception {
    ExampleSource all = SpamAssassinSource.load(DatasetCache.atDefaultDirectory());
    List<Example> tr = new ArrayList<>();
    List<Example> te = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      (MailSplit.isTest(all.get(i).id()) ? te : tr).add(all.get(i));
    }
    List<String> classes = TextTeacherTrainer.CLASSES;
    LabelledTexts train = LabelledTexts.of(ExampleSource.of("t", tr, classes), classes);
    LabelledTexts test = LabelledTexts.of(ExampleSource.of("e", te, classes), classes);
    TextEncoder encoder = TextEncoder.named("minilm");
    Path work = Files.createTempDirectory("wide");
    EncoderFiles files = encoder.copyTo(work);
    float[][][] emb;
    try (OnnxTextModel model = OnnxTextModel.open(files.model(), files.tokenizer(), 256, encoder.pooling(), true, 0)) {
      Path cache = SplitEmbedder.cacheFile(TextTeacherTrainer.Options.defaults()
          .withCacheDir(TextTeacherTrainer.defaultCacheDirectory()), encoder, files.fingerprint());
      emb = SplitEmbedder.embed(model, List.of(train, test), 1, cache, System.out).splits();
    }
    int buckets = Integer.getInteger("benchmark.buckets", 1 << 14);
    NgramFeaturizer f = new NgramFeaturizer(new NgramFeaturizer.Settings(buckets, 2, 3, 4, true, 500));
    List<Map<String, Object>> report = new ArrayList<>();
    for (String mode : System.getProperty("benchmark.modes", "emb,ngram,both").split(",", -1)) {
      for (String l2s : System.getProperty("benchmark.l2", "1e-4,1e-5").split(",", -1)) {
        double l2 = Double.parseDouble(l2s);
        float[][] x = rows(mode, emb[0], train.texts(), f, buckets);
        float[][] xt = rows(mode, emb[1], test.texts(), f, buckets);
        long t0 = System.nanoTime();
        HeadTrainer.Result fit = HeadTrainer.train(x, train.labels(), 2, new HeadTrainer.Settings(l2, 500, 1e-6, 42));
        HeadEvaluation ev = HeadEvaluation.of(fit.head(), xt, test.labels());
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "head over %-5s l2=%-5s test accuracy %.4f, %d errors of %d (%d iterations,"
            + " %.1f s)%n", mode, l2s, ev.accuracy(), ev.errors(), xt.length, fit.iterations(), seconds);
        assertTrue(ev.accuracy() > 0.5, mode + " head learned nothing");
        report.add(Map.of("features", mode, "l2", l2, "buckets", buckets, "testAccuracy", ev.accuracy(),
            "testErrors", ev.errors(), "testExamples", xt.length, "iterations", fit.iterations(), "seconds", seconds));
      }
    }
    Path out = Path.of("target", "benchmarks", "text-head.json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    CacheDirectories.deleteRecursively(work);
  }

  private static float[][] rows(String mode, float[][] emb, List<String> texts, NgramFeaturizer f, int buckets) {
    float[][] out = new float[emb.length][];
    for (int i = 0; i < emb.length; i++) {
      int e = mode.equals("ngram") ? 0 : emb[i].length;
      int n = mode.equals("emb") ? 0 : buckets;
      float[] row = new float[e + n];
      if (e > 0) {
        System.arraycopy(emb[i], 0, row, 0, e);
      }
      if (n > 0) {
        int[] b = f.features(texts.get(i));
        for (int k : b) {
          row[e + k] += 1;
        }
        double norm = 0;
        for (int k = e; k < row.length; k++) {
          norm += row[k] * row[k];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        for (int k = e; k < row.length; k++) {
          row[k] = (float) (row[k] / norm);
        }
      }
      out[i] = row;
    }
    return out;
  }
}
