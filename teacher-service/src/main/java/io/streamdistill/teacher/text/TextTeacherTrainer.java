package io.streamdistill.teacher.text;

import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.NpmDataset;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
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

  private static final Logger LOGGER = LoggerFactory.getLogger(TextTeacherTrainer.class);
  private static final String PARTIAL_PREFIX = ".partial-";
  private static final Duration STALE_PARTIAL_AGE = Duration.ofHours(6);
  private static final String OPTION_TRAINING_KEY = "trainingKey";
  /** Names the SpamAssassin corpus and its version in the mail preset's training key. */
  public static final String SPAM_ASSASSIN = NpmDataset.SPAM_ASSASSIN.spec() + "@" + NpmDataset.SPAM_ASSASSIN.sha256();
  // A progress line this often while embedding; the embedding cache is saved every so many texts,
  // so a killed run loses little.
  private static final long PROGRESS_NANOS = Duration.ofSeconds(5).toNanos();
  private static final int CHECKPOINT_EVERY = 1000;

  private TextTeacherTrainer() {}

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
      String teacherId, Path cacheDir) {
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
    }

    /** The mail preset's settings (no cache, no id): MiniLM, 256 tokens, l2 1e-4, 1000 iterations, seed 42, batch 1. */
    public static Options defaults() {
      return new Options(TextEncoder.MINILM, OnnxTextModel.DEFAULT_MAX_LENGTH, DEFAULT_L2, DEFAULT_ITERATIONS,
          DEFAULT_SEED, DEFAULT_BATCH_SIZE, null, null);
    }

    /** The old five settings, MiniLM, no id, no cache. */
    public Options(int maxTokens, double l2, int iterations, long seed, int batchSize) {
      this(TextEncoder.MINILM, maxTokens, l2, iterations, seed, batchSize, null, null);
    }

    public Options withEncoder(String value) {
      return new Options(value, maxTokens, l2, iterations, seed, batchSize, teacherId, cacheDir);
    }

    public Options withMaxTokens(int value) {
      return new Options(encoder, value, l2, iterations, seed, batchSize, teacherId, cacheDir);
    }

    public Options withL2(double value) {
      return new Options(encoder, maxTokens, value, iterations, seed, batchSize, teacherId, cacheDir);
    }

    public Options withIterations(int value) {
      return new Options(encoder, maxTokens, l2, value, seed, batchSize, teacherId, cacheDir);
    }

    public Options withSeed(long value) {
      return new Options(encoder, maxTokens, l2, iterations, value, batchSize, teacherId, cacheDir);
    }

    public Options withBatchSize(int value) {
      return new Options(encoder, maxTokens, l2, iterations, seed, value, teacherId, cacheDir);
    }

    public Options withTeacherId(String value) {
      return new Options(encoder, maxTokens, l2, iterations, seed, batchSize, value, cacheDir);
    }

    public Options withCacheDir(Path value) {
      return new Options(encoder, maxTokens, l2, iterations, seed, batchSize, teacherId, value);
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
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(outDir, "outDir");
    PrintStream out = progress != null ? progress : progressToLog();
    return trainCore(train, test, options, outDir.toAbsolutePath().normalize(), out, Map.of()).descriptor();
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
    String key = trainingKey(TextEncoder.named(options.encoder()).fingerprint(), options, SPAM_ASSASSIN);
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
    String key = trainingKey(TextEncoder.named(options.encoder()).fingerprint(), options, corpusName);
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
        : "mail-" + sanitize(encoderShortName(TextEncoder.named(options.encoder()))) + "-head";
    Options preset = options.withTeacherId(teacherId).withCacheDir(cacheDir);
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("corpus", corpusName);
    extra.put("split", MailSplit.NAME);
    extra.put(OPTION_TRAINING_KEY, key);
    return trainCore(ExampleSource.of(all.name() + "-train", trainExamples, classes),
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

  // ------------------------------------------------------------------ the one training path

  private static Result trainCore(ExampleSource trainSource, ExampleSource testSource, Options options, Path target,
      PrintStream out, Map<String, String> extraOptions) {
    long started = System.nanoTime();
    TextEncoder encoder = TextEncoder.named(options.encoder());
    List<String> classes = classesOf(trainSource, testSource);
    Labelled train = labelled(trainSource, classes);
    Labelled test = labelled(testSource, classes);
    if (train.ids().isEmpty() || test.ids().isEmpty()) {
      throw new TeacherException("the split left " + train.ids().size() + " labelled training and "
          + test.ids().size() + " test examples (" + trainSource.name() + ", " + testSource.name()
          + "): both must have some");
    }
    String teacherId = options.teacherId() != null ? options.teacherId()
        : sanitize(trainSource.name().replaceFirst("-train$", "")) + "-" + sanitize(encoderShortName(encoder)) + "-head";
    out.printf(Locale.ROOT, "Text teacher %s: %d classes %s, %d training and %d test texts, encoder %s, %d tokens%n",
        teacherId, classes.size(), classes, train.ids().size(), test.ids().size(), encoder.name(), options.maxTokens());

    Path parent = target.getParent();
    Path work;
    try {
      Files.createDirectories(parent);
      removeStale(parent, target.getFileName().toString());
      work = Files.createTempDirectory(parent, PARTIAL_PREFIX + target.getFileName() + "-");
    } catch (IOException e) {
      throw new TeacherException("cannot create a directory next to " + target + ": " + e, e);
    }
    try {
      EncoderFiles files = encoder.copyTo(work);
      String fingerprint = files.fingerprint();
      float[][] trainX;
      float[][] testX;
      double embedSeconds;
      Embedded embedded;
      try (OnnxTextModel model = OnnxTextModel.open(files.model(), files.tokenizer(), options.maxTokens(),
          encoder.pooling(), true, 0)) {
        Path cacheFile = options.cacheDir() == null ? null : options.cacheDir().resolve("embeddings")
            .resolve(cacheName(encoder, fingerprint, options));
        long embedStarted = System.nanoTime();
        embedded = embed(model, List.of(train, test), options.batchSize(), cacheFile, out);
        embedSeconds = (System.nanoTime() - embedStarted) / 1e9;
        trainX = embedded.splits()[0];
        testX = embedded.splits()[1];
      }

      long headStarted = System.nanoTime();
      HeadTrainer.Result fit = HeadTrainer.train(trainX, train.labels(), classes.size(),
          new HeadTrainer.Settings(options.l2(), options.iterations(), 1e-6, options.seed()));
      double headSeconds = (System.nanoTime() - headStarted) / 1e9;
      Evaluation testEval = evaluate(fit.head(), testX, test.labels());
      Evaluation trainEval = evaluate(fit.head(), trainX, train.labels());
      out.printf(Locale.ROOT, "Head trained in %.1f s (%d L-BFGS iterations%s); train accuracy %.4f%n", headSeconds,
          fit.iterations(), fit.converged() ? ", converged" : "", trainEval.accuracy());
      out.printf(Locale.ROOT, "Test accuracy %.4f (%d errors in %d)%n", testEval.accuracy(), testEval.errors(),
          test.labels().length);
      PerClass perClass = PerClass.of(fit.head(), testX, test.labels(), classes.size());
      out.printf(Locale.ROOT, "  %-20s %9s %9s %8s%n", "class", "precision", "recall", "support");
      for (int c = 0; c < classes.size(); c++) {
        out.printf(Locale.ROOT, "  %-20s %9.4f %9.4f %8d%n", classes.get(c), perClass.precision(c), perClass.recall(c),
            perClass.support(c));
      }

      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("test.accuracy", testEval.accuracy());
      metrics.put("test.errors", (double) testEval.errors());
      metrics.put("test.examples", (double) test.labels().length);
      metrics.put("test.logloss", testEval.logLoss());
      metrics.put("train.accuracy", trainEval.accuracy());
      metrics.put("train.examples", (double) train.labels().length);
      for (int c = 0; c < classes.size(); c++) {
        metrics.put("test.precision." + classes.get(c), perClass.precision(c));
        metrics.put("test.recall." + classes.get(c), perClass.recall(c));
      }
      metrics.put("embed.seconds", embedSeconds);
      metrics.put("embed.computed", (double) embedded.computed());
      metrics.put("embed.cached", (double) embedded.cached());
      metrics.put("head.iterations", (double) fit.iterations());
      metrics.put("head.seconds", headSeconds);

      Map<String, String> training = new LinkedHashMap<>();
      training.put("encoderModel", encoder.description());
      training.put("encoderFingerprint", fingerprint);
      training.put("headTraining", "multinomial logistic regression, L-BFGS, l2=" + options.l2()
          + ", iterations<=" + options.iterations() + ", seed=" + options.seed());
      training.put("embedBatchSize", Integer.toString(options.batchSize()));
      training.put("trainedOn", trainSource.name());
      training.put("testedOn", testSource.name());
      training.putAll(extraOptions);
      TeacherDescriptor written = writeTeacher(work, teacherId, classes, fit.head(), fingerprint, options.maxTokens(),
          encoder.pooling(), metrics, training);
      moveIntoPlace(work, target);
      TeacherDescriptor verified = TeacherDirectory.read(target);
      out.printf(Locale.ROOT, "Wrote %s (version %s) to %s in %.1f s%n", teacherId, written.version(), target,
          (System.nanoTime() - started) / 1e9);
      LOGGER.atInfo().addKeyValue("dir", target).addKeyValue("teacherId", teacherId)
          .addKeyValue("teacherVersion", written.version()).addKeyValue("testAccuracy", testEval.accuracy())
          .addKeyValue("seconds", (System.nanoTime() - started) / 1e9).log("text teacher written");
      return new Result(target, verified, false);
    } finally {
      CacheDirectories.deleteRecursively(work);
    }
  }

  private static String encoderShortName(TextEncoder encoder) {
    return encoder.files() == null ? encoder.name() : encoder.files().model().toAbsolutePath().getParent()
        .getFileName().toString();
  }

  private static String sanitize(String name) {
    String clean = name.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    return clean.isEmpty() ? "text" : clean;
  }

  private static String cacheName(TextEncoder encoder, String fingerprint, Options options) {
    // The MiniLM name is the one the first text teacher used, so its cached embeddings stay valid.
    String prefix = encoder.pooling() == OnnxTextModel.Pooling.MEAN ? "minilm-" : "cls-";
    return prefix + fingerprint.substring(0, 16) + "-t" + options.maxTokens() + "-b" + options.batchSize() + ".bin";
  }

  /**
   * Writes config.json, the head and teacher.json into {@code dir}, which holds the encoder's files
   * already ({@link TextEncoder#copyTo}), and reads the directory back as a loader will, so a
   * directory that would be refused is never moved into place.
   */
  static TeacherDescriptor writeTeacher(Path dir, String teacherId, List<String> classes, LogisticHead head,
      String encoderFingerprint, int maxTokens, OnnxTextModel.Pooling pooling, Map<String, Double> metrics,
      Map<String, String> training) {
    head.write(dir.resolve(LogisticHead.FILE_NAME));
    TextModelConfig.write(dir.resolve(TextModelConfig.FILE_NAME), classes,
        Map.of("stream_distill_note", "class names of the head in head.bin; the encoder is model.onnx"));
    Map<String, String> options = new LinkedHashMap<>();
    options.put(OnnxTextTeacherLoader.OPTION_MODEL, EncoderFiles.MODEL_FILE);
    options.put(OnnxTextTeacherLoader.OPTION_TOKENIZER, EncoderFiles.TOKENIZER_FILE);
    options.put(OnnxTextTeacherLoader.OPTION_CONFIG, TextModelConfig.FILE_NAME);
    options.put(OnnxTextTeacherLoader.OPTION_HEAD, LogisticHead.FILE_NAME);
    options.put(OnnxTextTeacherLoader.OPTION_MAX_LENGTH, Integer.toString(maxTokens));
    options.put(OnnxTextTeacherLoader.OPTION_POOLING, pooling.label());
    options.put(OnnxTextTeacherLoader.OPTION_NORMALIZE, "true");
    options.putAll(training);
    String version = version(TeacherDirectory.sha256(dir.resolve(LogisticHead.FILE_NAME)), encoderFingerprint,
        maxTokens, pooling, classes);
    TeacherDescriptor descriptor = new TeacherDescriptor(teacherId, version, OnnxTextTeacherLoader.KIND, classes,
        TeacherDescriptor.TEXT, 0, head.width(), Map.of(), metrics, options);
    TeacherDirectory.write(dir, descriptor, List.of(EncoderFiles.MODEL_FILE, EncoderFiles.TOKENIZER_FILE,
        TextModelConfig.FILE_NAME, LogisticHead.FILE_NAME));
    return TeacherDirectory.read(dir);
  }

  /** The class names: the source's own when it names them, else the sorted labels of both splits. */
  static List<String> classesOf(ExampleSource train, ExampleSource test) {
    List<String> classes = train.classes();
    if (classes.isEmpty()) {
      TreeSet<String> seen = new TreeSet<>();
      for (ExampleSource source : List.of(train, test)) {
        for (int i = 0; i < source.size(); i++) {
          String label = source.label(i);
          if (label != null) {
            seen.add(label);
          }
        }
      }
      classes = List.copyOf(seen);
    }
    if (classes.size() < 2) {
      throw new TeacherException(train.name() + " has the classes " + classes + ": a teacher needs at least two");
    }
    return classes;
  }

  /** A split's texts, ids and class indexes; examples without a label are left out. */
  private record Labelled(List<String> ids, List<String> texts, int[] labels) {}

  private static Labelled labelled(ExampleSource corpus, List<String> classes) {
    List<String> ids = new ArrayList<>(corpus.size());
    List<String> texts = new ArrayList<>(corpus.size());
    List<Integer> labels = new ArrayList<>(corpus.size());
    for (int i = 0; i < corpus.size(); i++) {
      String label = corpus.label(i);
      if (label == null) {
        continue;
      }
      int index = classes.indexOf(label);
      if (index < 0) {
        throw new TeacherException(corpus.name() + " has the label '" + label + "', but the classes are " + classes);
      }
      Example example = corpus.get(i);
      if (example.text() == null) {
        throw new TeacherException(corpus.name() + ": example " + example.id() + " has no text, and a text teacher"
            + " reads text");
      }
      ids.add(example.id());
      texts.add(example.text());
      labels.add(index);
    }
    return new Labelled(ids, texts, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Every text's embedding, per split, from the cache when it holds the same id and text, else from
   * the model; a progress line every few seconds.
   */
  private record Embedded(float[][][] splits, int computed, int cached) {}

  private static Embedded embed(OnnxTextModel model, List<Labelled> splits, int batchSize, Path cacheFile,
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
      Labelled data = splits.get(s);
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

  /**
   * How a head does on labelled embeddings.
   *
   * @param accuracy share of arg-max predictions equal to the label
   * @param errors examples predicted wrong
   * @param logLoss mean cross-entropy of the softmax of the logits
   */
  record Evaluation(double accuracy, int errors, double logLoss) {}

  static Evaluation evaluate(LogisticHead head, float[][] embeddings, int[] labels) {
    int errors = 0;
    double loss = 0;
    for (int i = 0; i < embeddings.length; i++) {
      float[] logits = head.logits(embeddings[i]);
      double max = Double.NEGATIVE_INFINITY;
      int best = 0;
      for (int c = 0; c < logits.length; c++) {
        if (logits[c] > max) {
          max = logits[c];
          best = c;
        }
      }
      double sum = 0;
      for (float logit : logits) {
        sum += Math.exp(logit - max);
      }
      loss += max + Math.log(sum) - logits[labels[i]];
      if (best != labels[i]) {
        errors++;
      }
    }
    return new Evaluation(1.0 - (double) errors / embeddings.length, errors, loss / embeddings.length);
  }

  /** Per-class counts on a test split: true positives, predicted and actual per class. */
  record PerClass(int[] truePositives, int[] predicted, int[] actual) {
    static PerClass of(LogisticHead head, float[][] embeddings, int[] labels, int classes) {
      int[] tp = new int[classes];
      int[] predicted = new int[classes];
      int[] actual = new int[classes];
      for (int i = 0; i < embeddings.length; i++) {
        int p = head.predict(embeddings[i]);
        predicted[p]++;
        actual[labels[i]]++;
        if (p == labels[i]) {
          tp[p]++;
        }
      }
      return new PerClass(tp, predicted, actual);
    }

    /** Share of the predictions of class c that were right; NaN when c was never predicted. */
    double precision(int c) {
      return predicted[c] == 0 ? Double.NaN : (double) truePositives[c] / predicted[c];
    }

    /** Share of the examples of class c predicted as c; NaN when the split has none. */
    double recall(int c) {
      return actual[c] == 0 ? Double.NaN : (double) truePositives[c] / actual[c];
    }

    int support(int c) {
      return actual[c];
    }
  }

  /** The key a mail teacher directory is reused under: everything that changes what training makes. */
  static String trainingKey(String encoderFingerprint, Options options, String corpusName) {
    String text = "kind=" + OnnxTextTeacherLoader.KIND + "\nencoder=" + encoderFingerprint + "\nmaxTokens="
        + options.maxTokens() + "\nl2=" + options.l2() + "\niterations=" + options.iterations() + "\nseed="
        + options.seed() + "\nbatchSize=" + options.batchSize() + "\nsplit=" + MailSplit.NAME + "\ncorpus="
        + corpusName + "\n";
    return sha256Hex(text);
  }

  /**
   * The teacher's version: a content hash of what decides its outputs (the head's bytes, the
   * encoder, the token cut, the pooling and the class names), so the same teacher always has the
   * same version and a changed one never does.
   */
  static String version(String headSha256, String encoderFingerprint, int maxTokens, OnnxTextModel.Pooling pooling,
      List<String> classes) {
    return sha256Hex("head=" + headSha256 + "\nencoder=" + encoderFingerprint + "\nmaxTokens=" + maxTokens
        + "\npooling=" + pooling.label() + "\nclasses=" + String.join("\u0000", classes) + "\n").substring(0, 16);
  }

  private static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  private static void moveIntoPlace(Path work, Path target) {
    try {
      if (!CacheDirectories.moveIntoPlace(work, target, true)) {
        LOGGER.atInfo().addKeyValue("dir", target).log("another process wrote the teacher first; keeping that one");
      }
    } catch (IOException e) {
      throw new TeacherException("cannot move the new teacher to " + target + ": " + e, e);
    }
  }

  private static void removeStale(Path parent, String name) {
    Instant staleBefore = Instant.now().minus(STALE_PARTIAL_AGE);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, PARTIAL_PREFIX + name + "-*")) {
      for (Path partial : entries) {
        if (Files.getLastModifiedTime(partial).toInstant().isBefore(staleBefore)) {
          LOGGER.atInfo().addKeyValue("dir", partial).log("removing a partial teacher left by a killed run");
          CacheDirectories.deleteRecursively(partial);
        }
      }
    } catch (IOException e) {
      LOGGER.atWarn().addKeyValue("dir", parent).log("could not look for stale partial teachers: " + e);
    }
  }
}
