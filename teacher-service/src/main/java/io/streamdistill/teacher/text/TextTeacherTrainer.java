package io.streamdistill.teacher.text;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.NpmDataset;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a text teacher from any labelled text data set: embeds the texts with a frozen pretrained
 * sentence encoder ({@link TextEncoder}: MiniLM, bge-small or a directory), trains a {@link
 * LogisticHead} for the data set's classes on the train split, measures it on the test split
 * (accuracy, per-class precision and recall), and writes a verified {@value
 * OnnxTextTeacherLoader#KIND} teacher directory.
 *
 * <pre>{@code
 * TeacherDescriptor teacher = TextTeacherTrainer.train(trainSource, testSource,
 *     TextTeacherTrainer.Options.defaults().withEncoder("bge-small"), Path.of("teachers/mine"), System.out);
 * }</pre>
 *
 * <p>The directory holds {@code teacher.json}, {@code model.onnx} and {@code tokenizer.json} (the
 * encoder), {@code config.json} (the class names in {@code id2label}) and {@code head.bin}, each
 * hashed in teacher.json, so it is complete on its own. It is written under a temporary name and
 * renamed when complete, so a directory with the final name is always whole.
 *
 * <p>The mail gateway's teacher ({@value #TEACHER_ID}, {@link #trainedOrCached}) is a preset of this
 * path: SpamAssassin, MiniLM, the {@link MailSplit}. Embedding is the slow part (minutes on two
 * cores for SpamAssassin), so embeddings can be cached on disk ({@link Options#cacheDir()}), keyed
 * by the encoder's fingerprint and settings; retraining the head then takes seconds.
 *
 * <p>This class holds the options and the entry points; every teacher is made by {@link
 * TextTeacherPipeline}, which embeds with {@link SplitEmbedder} and writes with {@link
 * TextTeacherWriter}.
 *
 * <p>Stateless; runs in the calling thread (ONNX Runtime uses every core).
 */
public final class TextTeacherTrainer {
  /** The mail preset's teacher id, in teacher.json and in every soft label it makes. */
  public static final String TEACHER_ID = "mail-minilm-head";
  /** The mail preset's classes, in the order of the logits. */
  public static final List<String> CLASSES = List.of("ham", "spam");
  /**
   * The default L2 weight, chosen on the SpamAssassin train split alone: fitted on 80% of it and
   * validated on the other 20% (852 mails), 1e-4 had the best accuracy (96.4%) of 1e-2 .. 1e-6, with
   * a log loss near the best; the test split played no part.
   */
  public static final double DEFAULT_L2 = 1e-4;
  /** The default cap on L-BFGS iterations; it converges well before on this corpus. */
  public static final int DEFAULT_ITERATIONS = 1000;
  public static final long DEFAULT_SEED = 42;
  /**
   * The default embedding batch size while training: one text per call. With the int8 encoders an
   * embedding then depends on its text alone (they quantize activations per batch), which is what
   * the embedding cache assumes; batches of 32 mails sorted by length were only about 15% faster per
   * mail on two cores (measured), and a corpus is embedded once.
   */
  public static final int DEFAULT_BATCH_SIZE = 1;
  /**
   * The default n-gram columns of the head: 2^14 hashed word and character n-grams (the student's own
   * rules) after the embedding. On SpamAssassin's test split (1,778 mails) the head over the MiniLM
   * embedding alone made 61 errors, over these n-grams alone 29, over both 26 ({@code TextHeadBenchmark});
   * a frozen sentence embedding misses words a class hangs on, and the n-grams do not.
   */
  public static final int DEFAULT_NGRAM_BUCKETS = 1 << 14;
  /** The most n-gram columns a head may have. */
  public static final int MAX_NGRAM_BUCKETS = 1 << 20;

  private static final Logger LOGGER = LoggerFactory.getLogger(TextTeacherTrainer.class);
  private static final String OPTION_TRAINING_KEY = "trainingKey";
  /** Names the SpamAssassin corpus and its version in the mail preset's training key. */
  public static final String SPAM_ASSASSIN = NpmDataset.SPAM_ASSASSIN.spec() + "@" + NpmDataset.SPAM_ASSASSIN.sha256();

  private TextTeacherTrainer() {}

  /**
   * The featurizer of a head's {@code buckets} n-gram columns (the student's rules: words and word pairs,
   * character 3- and 4-grams, lower case, 500 tokens), or null for 0.
   */
  static NgramFeaturizer.Settings ngramFeaturizer(int buckets) {
    if (buckets == 0) {
      return null;
    }
    return NgramFeaturizer.Settings.defaults().withBuckets(buckets);
  }

  /**
   * How to make a text teacher.
   *
   * @param encoder {@value TextEncoder#MINILM}, {@value TextEncoder#BGE_SMALL} or a directory with
   *     an ONNX encoder and its tokenizer.json ({@link TextEncoder#named})
   * @param maxTokens where texts are cut, in tokens (2 to 512)
   * @param l2 weight of the L2 penalty on the head's weights
   * @param iterations L-BFGS iterations at most
   * @param seed seeds the head's starting point (the optimum does not depend on it, see {@link HeadTrainer})
   * @param batchSize texts per encoder call while embedding
   * @param teacherId the teacher's id; null for one made of the data set's and encoder's names
   * @param cacheDir where embeddings are cached between runs; null for no cache
   */
  public record Options(String encoder, int maxTokens, double l2, int iterations, long seed, int batchSize,
      String teacherId, Path cacheDir, int ngramBuckets) {
    public Options {
      if (encoder == null || encoder.isBlank()) {
        throw new IllegalArgumentException("the encoder must be " + TextEncoder.MINILM + ", " + TextEncoder.BGE_SMALL
            + " or a directory");
      }
      if (maxTokens < 2 || maxTokens > OnnxTextModel.MODEL_MAX_LENGTH) {
        throw new IllegalArgumentException("max tokens must be from 2 to " + OnnxTextModel.MODEL_MAX_LENGTH + ", not "
            + maxTokens);
      }
      if (!(l2 >= 0) || Double.isInfinite(l2)) {
        throw new IllegalArgumentException("l2 must be a finite number >= 0, not " + l2);
      }
      if (iterations < 1) {
        throw new IllegalArgumentException("iterations must be >= 1, not " + iterations);
      }
      if (batchSize < 1 || batchSize > 1024) {
        throw new IllegalArgumentException("batch size must be from 1 to 1024, not " + batchSize);
      }
      if (teacherId != null && teacherId.isBlank()) {
        throw new IllegalArgumentException("the teacher id must not be blank");
      }
      if (ngramBuckets < 0 || ngramBuckets > MAX_NGRAM_BUCKETS) {
        throw new IllegalArgumentException("n-gram buckets must be from 0 (the embedding alone) to "
            + MAX_NGRAM_BUCKETS + ", not " + ngramBuckets);
      }
    }

    /** The featurizer of the head's n-gram columns, or null when it reads the embedding alone. */
    public NgramFeaturizer.Settings ngrams() {
      return ngramFeaturizer(ngramBuckets);
    }

    /** The mail preset's settings (no cache, no id): MiniLM, 256 tokens, l2 1e-4, 1000 iterations, seed 42, batch 1. */
    public static Options defaults() {
      return new Options(TextEncoder.MINILM, OnnxTextModel.DEFAULT_MAX_LENGTH, DEFAULT_L2, DEFAULT_ITERATIONS,
          DEFAULT_SEED, DEFAULT_BATCH_SIZE, null, null, DEFAULT_NGRAM_BUCKETS);
    }

    /** The old five settings, MiniLM, no id, no cache. */
    public Options(int maxTokens, double l2, int iterations, long seed, int batchSize) {
      this(TextEncoder.MINILM, maxTokens, l2, iterations, seed, batchSize, null, null, DEFAULT_NGRAM_BUCKETS);
    }

    public Options withEncoder(String value) {
      return new Options(value, maxTokens, l2, iterations, seed, batchSize, teacherId, cacheDir, ngramBuckets);
    }

    public Options withMaxTokens(int value) {
      return new Options(encoder, value, l2, iterations, seed, batchSize, teacherId, cacheDir, ngramBuckets);
    }

    public Options withL2(double value) {
      return new Options(encoder, maxTokens, value, iterations, seed, batchSize, teacherId, cacheDir, ngramBuckets);
    }

    public Options withIterations(int value) {
      return new Options(encoder, maxTokens, l2, value, seed, batchSize, teacherId, cacheDir, ngramBuckets);
    }

    public Options withSeed(long value) {
      return new Options(encoder, maxTokens, l2, iterations, value, batchSize, teacherId, cacheDir, ngramBuckets);
    }

    public Options withBatchSize(int value) {
      return new Options(encoder, maxTokens, l2, iterations, seed, value, teacherId, cacheDir, ngramBuckets);
    }

    public Options withTeacherId(String value) {
      return new Options(encoder, maxTokens, l2, iterations, seed, batchSize, value, cacheDir, ngramBuckets);
    }

    public Options withCacheDir(Path value) {
      return new Options(encoder, maxTokens, l2, iterations, seed, batchSize, teacherId, value, ngramBuckets);
    }

    public Options withNgramBuckets(int value) {
      return new Options(encoder, maxTokens, l2, iterations, seed, batchSize, teacherId, cacheDir, value);
    }
  }

  /**
   * A teacher directory and what it says about itself.
   *
   * @param directory the verified directory
   * @param descriptor its teacher.json
   * @param fromCache true when it existed already and nothing was trained
   */
  public record Result(Path directory, TeacherDescriptor descriptor, boolean fromCache) {
    /** Accuracy on the test split, as measured when the teacher was made. */
    public double testAccuracy() {
      return descriptor.metrics().getOrDefault("test.accuracy", Double.NaN);
    }
  }

  // ------------------------------------------------------------------ any labelled text data set

  /**
   * Trains a text teacher on {@code train}, measures it on {@code test}, writes it into {@code
   * outDir} (replacing what is there) and returns its verified descriptor.
   *
   * <p>The classes are {@code train.classes()} when the source names them, else the sorted labels of
   * both splits; any number from 2. Unlabelled examples are left out.
   *
   * @param progress where progress, the test accuracy and per-class precision/recall are printed
   * @throws TeacherException when the data, the encoder or the directory are not usable
   */
  public static TeacherDescriptor train(ExampleSource train, ExampleSource test, Options options, Path outDir,
      PrintStream progress) {
    return train(train, test, options, 0, outDir, progress);
  }

  /**
   * As {@link #train(ExampleSource, ExampleSource, Options, Path, PrintStream)}, within a time limit: when the
   * encoder would not embed every text of both splits within {@code maxSeconds} (the pace measured on a probe of
   * them), the teacher learns from and is measured on the same random share of each split that it would, and says
   * so; its {@code embed.share} metric is that share.
   *
   * @param maxSeconds the time limit; 0 for none
   */
  public static TeacherDescriptor train(ExampleSource train, ExampleSource test, Options options, long maxSeconds,
      Path outDir, PrintStream progress) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(outDir, "outDir");
    if (maxSeconds < 0) {
      throw new IllegalArgumentException("the time limit must not be negative, not " + maxSeconds + " s");
    }
    PrintStream out = progress != null ? progress : progressToLog();
    return TextTeacherPipeline.run(train, test, options, maxSeconds, outDir.toAbsolutePath().normalize(), out,
        Map.of()).descriptor();
  }

  // ------------------------------------------------------------------ the mail preset

  /** {@code $DISTILL_CACHE_DIR/teachers}, or {@code ~/.cache/stream-distill/teachers}. */
  public static Path defaultCacheDirectory() {
    return DatasetCache.defaultDirectory().resolve("teachers");
  }

  /**
   * The mail teacher made with {@code options}, from {@code cacheDir} when it was made before, else
   * trained now (fetching SpamAssassin with npm on first use) and kept there.
   *
   * @throws TeacherException when the encoder or the corpus cannot be read, or the directory not written
   */
  public static Result trainedOrCached(Path cacheDir, Options options) {
    return trainInto(cachedDirectory(cacheDir, options), cacheDir, options, false);
  }

  /**
   * Where {@link #trainedOrCached} keeps the mail teacher made with {@code options}: named after a
   * hash of the settings, the encoder and the corpus version, so each combination has its own.
   */
  public static Path cachedDirectory(Path cacheDir, Options options) {
    String key = TextTeacherHashes.trainingKey(TextEncoder.named(options.encoder()).fingerprint(), options,
        SPAM_ASSASSIN);
    return cacheDir.resolve(TEACHER_ID + "-" + key.substring(0, 16));
  }

  /**
   * Writes the mail teacher into {@code target}; when {@code target} already holds a valid teacher
   * made with the same options and encoder, returns it instead, unless {@code force}.
   *
   * @param cacheDir where the embeddings are cached
   */
  public static Result trainInto(Path target, Path cacheDir, Options options, boolean force) {
    return trainInto(target, cacheDir, options, force, SPAM_ASSASSIN,
        () -> SpamAssassinSource.load(DatasetCache.atDefaultDirectory()));
  }

  /**
   * As {@link #trainInto(Path, Path, Options, boolean)}, on any labelled text corpus, split by
   * {@link MailSplit}; progress goes to the log.
   *
   * @param corpusName names the corpus and its version; part of the key that decides whether an
   *     existing directory can be reused
   */
  public static Result trainInto(Path target, Path cacheDir, Options options, boolean force, String corpusName,
      Supplier<? extends ExampleSource> corpus) {
    return trainInto(target, cacheDir, options, force, corpusName, corpus, progressToLog());
  }

  /** As above, printing progress to {@code progress}. */
  public static Result trainInto(Path target, Path cacheDir, Options options, boolean force, String corpusName,
      Supplier<? extends ExampleSource> corpus, PrintStream progress) {
    Objects.requireNonNull(options, "options");
    Path dir = target.toAbsolutePath().normalize();
    String key = TextTeacherHashes.trainingKey(TextEncoder.named(options.encoder()).fingerprint(), options, corpusName);
    if (!force) {
      Result existing = existing(dir, key);
      if (existing != null) {
        return existing;
      }
    }
    ExampleSource all = corpus.get();
    List<Example> trainExamples = new ArrayList<>();
    List<Example> testExamples = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      Example example = all.get(i);
      (MailSplit.isTest(example.id()) ? testExamples : trainExamples).add(example);
    }
    List<String> classes = all.classes().isEmpty() ? CLASSES : all.classes();
    String teacherId = options.teacherId() != null ? options.teacherId()
        : TextEncoder.MINILM.equals(options.encoder()) ? TEACHER_ID
        : "mail-" + TextTeacherPipeline.sanitize(TextTeacherPipeline.encoderShortName(
            TextEncoder.named(options.encoder()))) + "-head";
    Options preset = options.withTeacherId(teacherId).withCacheDir(cacheDir);
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("corpus", corpusName);
    extra.put("split", MailSplit.NAME);
    extra.put(OPTION_TRAINING_KEY, key);
    return TextTeacherPipeline.run(ExampleSource.of(all.name() + "-train", trainExamples, classes),
        ExampleSource.of(all.name() + "-test", testExamples, classes), preset, dir, progress, extra);
  }

  /** Progress lines as INFO log lines, for callers that give no stream (the service training its preset). */
  private static PrintStream progressToLog() {
    return new PrintStream(new OutputStream() {
      private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

      @Override
      public void write(int b) {
        if (b == '\n') {
          LOGGER.atInfo().log(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }
    }, true, StandardCharsets.UTF_8);
  }

  private static Result existing(Path target, String key) {
    if (!Files.isDirectory(target)) {
      return null;
    }
    try {
      TeacherDescriptor descriptor = TeacherDirectory.read(target);
      if (key.equals(descriptor.options().get(OPTION_TRAINING_KEY))) {
        LOGGER.atInfo().addKeyValue("dir", target).addKeyValue("teacherVersion", descriptor.version())
            .addKeyValue("testAccuracy", descriptor.metrics().get("test.accuracy"))
            .log("text teacher found in the cache");
        return new Result(target, descriptor, true);
      }
      LOGGER.atInfo().addKeyValue("dir", target).log("the teacher there was made with other settings; retraining");
    } catch (TeacherException e) {
      LOGGER.atWarn().addKeyValue("dir", target).log("the teacher there is not valid, retraining: " + e.getMessage());
    }
    return null;
  }
}
