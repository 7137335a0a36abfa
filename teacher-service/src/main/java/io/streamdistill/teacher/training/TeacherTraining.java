package io.streamdistill.teacher.training;

import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.IdxSource;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.student.FieldSpec;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One way to a teacher for any labelled data set, the model chosen by what the examples carry
 * ({@link Payload}): text goes to the text trainer (a frozen sentence encoder plus a head); dense
 * vectors, images and structured records to a network trained here with DJL/PyTorch (kind
 * {@value DenseTeacherLoader#KIND}: an MLP with ReLU and dropout, or a small CNN for images; records
 * are featurized by the student's own {@link io.streamdistill.student.FieldFeaturizer} over a
 * {@link FieldSpec} fitted on the train split). A test split is kept apart by a hash of each
 * example's id ({@link TestSplit}); the result is a verified teacher directory whose teacher.json
 * holds the test figures and a fingerprint of the data and the options.
 *
 * <pre>{@code
 * ExampleSource flows = sourceOptions.open("flows.csv");
 * Path dir = TeacherTraining.trainOrReuse(flows, TeacherTraining.Options.defaults(), Path.of("teachers/flows"),
 *     System.out);                          // trains, or finds the same teacher already there
 * try (Teacher teacher = TeacherCatalog.load(dir.toString())) { ... }
 * }</pre>
 *
 * <p>Stateless; training runs in the calling thread. PyTorch's seed is engine-wide, so two trainings
 * in one process should not run at once.
 */
public final class TeacherTraining {
  private static final Logger LOGGER = LoggerFactory.getLogger(TeacherTraining.class);
  /** The fewest training examples a teacher is trained on. */
  static final int MIN_TRAIN = 10;
  /** The option in teacher.json that {@link #trainOrReuse} compares. */
  static final String FINGERPRINT = "fingerprint";

  private TeacherTraining() {}

  /**
   * How a teacher is trained; every field is part of the fingerprint.
   *
   * @param model {@code mlp} or {@code cnn} (images only)
   * @param epochs passes over the training split
   * @param hidden widths of the hidden dense layers; the last is the teacher's embedding
   * @param testPercent share of examples (by a hash of the id) kept apart for testing, in (0, 100)
   * @param seed seeds data order, jitter, initial weights and dropout
   * @param encoder text only: {@code minilm}, {@code bge-small} or an encoder directory
   * @param batchSize examples per optimizer step
   * @param learningRate Adam's initial step, decayed along a cosine to 1% of it
   * @param inputDropout dropout on the network's inputs (after the convolutions for a CNN), in [0, 1)
   * @param hiddenDropout dropout on each hidden layer, in [0, 1)
   * @param jitter images only: the largest random shift of a training image, in pixels, per axis
   * @param imageRows the image shape when the source does not know it (0: the source's, if any)
   * @param imageCols see imageRows
   * @param maxCategories a categorical field keeps at most this many values (the rest are "unseen")
   * @param validationPercent networks only: the share of the training split kept apart to choose the epoch
   *     whose weights are written (0: the last epoch's)
   */
  public record Options(String model, int epochs, List<Integer> hidden, int testPercent, long seed, String encoder,
      int batchSize, double learningRate, float inputDropout, float hiddenDropout, int jitter, int imageRows,
      int imageCols, int maxCategories, int validationPercent) {
    public static final String DEFAULT_MODEL = DenseArchitecture.MLP;
    public static final int DEFAULT_EPOCHS = 30;
    public static final List<Integer> DEFAULT_HIDDEN = List.of(256, 256);
    public static final int DEFAULT_TEST_PERCENT = 20;
    public static final long DEFAULT_SEED = 42;
    public static final String DEFAULT_ENCODER = "minilm";
    public static final int DEFAULT_BATCH_SIZE = 128;
    public static final double DEFAULT_LEARNING_RATE = 2e-3;
    public static final float DEFAULT_HIDDEN_DROPOUT = 0.3f;
    public static final int DEFAULT_MAX_CATEGORIES = 50;
    /**
     * Default share of the training split a network teacher keeps apart to choose its epoch by: the weights
     * of the epoch with the best accuracy there are the ones written. A 4,000-row income-like CSV peaked at
     * epoch 2 (91.8% on the test split) and ended 30 epochs later at 89.9%.
     */
    public static final int DEFAULT_VALIDATION_PERCENT = 10;

    public Options {
      if (!DenseArchitecture.MLP.equals(model) && !DenseArchitecture.CNN.equals(model)) {
        throw new IllegalArgumentException("--model must be mlp or cnn, not " + model);
      }
      if (epochs < 1 || epochs > 10_000) {
        throw new IllegalArgumentException("--epochs must be in [1, 10000], not " + epochs);
      }
      if (hidden == null || hidden.isEmpty() || hidden.stream().anyMatch(h -> h == null || h < 1 || h > 16_384)) {
        throw new IllegalArgumentException("--hidden must list one or more layer widths in [1, 16384], e.g. 256,256;"
            + " not " + hidden);
      }
      hidden = List.copyOf(hidden);
      if (testPercent < 1 || testPercent > 90) {
        throw new IllegalArgumentException("--test-percent must be in [1, 90], not " + testPercent);
      }
      Objects.requireNonNull(encoder, "encoder");
      if (batchSize < 1 || batchSize > 65_536) {
        throw new IllegalArgumentException("--batch-size must be in [1, 65536], not " + batchSize);
      }
      if (!(learningRate > 0 && learningRate <= 1)) {
        throw new IllegalArgumentException("--learning-rate must be in (0, 1], not " + learningRate);
      }
      if (!(inputDropout >= 0 && inputDropout < 1)) {
        throw new IllegalArgumentException("--input-dropout must be in [0, 1), not " + inputDropout);
      }
      if (!(hiddenDropout >= 0 && hiddenDropout < 1)) {
        throw new IllegalArgumentException("--dropout must be in [0, 1), not " + hiddenDropout);
      }
      if (jitter < 0 || jitter > 8) {
        throw new IllegalArgumentException("--jitter must be in [0, 8] pixels, not " + jitter);
      }
      if (imageRows < 0 || imageCols < 0 || (imageRows == 0) != (imageCols == 0)) {
        throw new IllegalArgumentException("--image-shape must be ROWSxCOLS with both positive, not " + imageRows
            + "x" + imageCols);
      }
      if (maxCategories < 1) {
        throw new IllegalArgumentException("--max-categories must be positive, not " + maxCategories);
      }
      if (validationPercent < 0 || validationPercent > 50) {
        throw new IllegalArgumentException("--validation-percent must be in [0, 50], not " + validationPercent);
      }
    }

    /** An MLP 256-256 with dropout 0.3, 30 epochs of 128 at Adam 0.002, 20% for testing, MiniLM for text. */
    public static Options defaults() {
      return new Options(DEFAULT_MODEL, DEFAULT_EPOCHS, DEFAULT_HIDDEN, DEFAULT_TEST_PERCENT, DEFAULT_SEED,
          DEFAULT_ENCODER, DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE, 0f, DEFAULT_HIDDEN_DROPOUT, 0, 0, 0,
          DEFAULT_MAX_CATEGORIES, DEFAULT_VALIDATION_PERCENT);
    }

    public Options withModel(String value) {
      return new Options(value, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withEpochs(int value) {
      return new Options(model, value, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withHidden(List<Integer> value) {
      return new Options(model, epochs, value, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withTestPercent(int value) {
      return new Options(model, epochs, hidden, value, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withSeed(long value) {
      return new Options(model, epochs, hidden, testPercent, value, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withEncoder(String value) {
      return new Options(model, epochs, hidden, testPercent, seed, value, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withBatchSize(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, value, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withLearningRate(double value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, value, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withDropout(float input, float hiddenRate) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, input,
          hiddenRate, jitter, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withJitter(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, value, imageRows, imageCols, maxCategories, validationPercent);
    }

    public Options withImageShape(int rows, int cols) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, rows, cols, maxCategories, validationPercent);
    }

    public Options withMaxCategories(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, value, validationPercent);
    }

    public Options withValidationPercent(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, value);
    }

    /** Every setting, in one line: part of the fingerprint and written into teacher.json. */
    public String key() {
      return model + "-h" + hidden.stream().map(String::valueOf).collect(Collectors.joining("x")) + "-e" + epochs
          + "-b" + batchSize + "-lr" + plain(learningRate) + "-s" + seed + "-t" + testPercent + "-di"
          + plain(inputDropout) + "-dh" + plain(hiddenDropout) + "-j" + jitter + "-img" + imageRows + "x" + imageCols
          + "-c" + maxCategories + "-v" + validationPercent + "-enc" + encoder;
    }

    private static String plain(double value) {
      return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }
  }

  /**
   * A teacher directory just written (or found).
   *
   * @param directory the verified teacher directory
   * @param descriptor its teacher.json
   * @param payload what the examples carried
   * @param testExamples the test split, in source order (empty when the directory was reused)
   * @param testLogits the trained network's own logits for each test example, in inference mode; null for text
   *     teachers and reused directories
   */
  public record Result(Path directory, TeacherDescriptor descriptor, Payload payload, List<Example> testExamples,
      float[][] testLogits) {}

  /**
   * The teacher for {@code source} and {@code options} in {@code outDir}: the directory as it is when
   * it holds a verified teacher trained on the same data with the same options (same fingerprint),
   * else a teacher trained now and written there (replacing an older teacher directory).
   *
   * @param progress where the payload, the model, a line per epoch and the test figures are printed;
   *     null for nowhere
   * @throws IllegalArgumentException for data or options that cannot make a teacher, naming the flag
   * @throws TeacherException when training or writing fails
   */
  public static Path trainOrReuse(ExampleSource source, Options options, Path outDir, PrintStream progress) {
    String fingerprint = fingerprint(source, options);
    if (matches(outDir, fingerprint)) {
      if (progress != null) {
        progress.println("reusing the teacher in " + outDir + ": trained on the same data with the same options");
      }
      return outDir;
    }
    return train(source, null, options, outDir, progress, fingerprint).directory();
  }

  /**
   * As {@link #trainOrReuse(ExampleSource, Options, Path, PrintStream)}, testing on all of
   * {@code testSource} instead of a split of {@code trainSource}.
   */
  public static Path trainOrReuse(ExampleSource trainSource, ExampleSource testSource, Options options, Path outDir,
      PrintStream progress) {
    String fingerprint = fingerprint(trainSource, testSource, options);
    if (matches(outDir, fingerprint)) {
      if (progress != null) {
        progress.println("reusing the teacher in " + outDir + ": trained on the same data with the same options");
      }
      return outDir;
    }
    return train(trainSource, testSource, options, outDir, progress, fingerprint).directory();
  }

  /** Trains a teacher on {@code source} (a test split kept apart by id) and writes it into {@code outDir}. */
  public static Result train(ExampleSource source, Options options, Path outDir, PrintStream progress) {
    return train(source, null, options, outDir, progress, fingerprint(source, options));
  }

  /**
   * Trains on all of {@code trainSource} and tests on all of {@code testSource} (a data set that
   * comes with its own test set, as MNIST does); {@code testPercent} plays no part.
   */
  public static Result train(ExampleSource trainSource, ExampleSource testSource, Options options, Path outDir,
      PrintStream progress) {
    Objects.requireNonNull(testSource, "testSource");
    return train(trainSource, testSource, options, outDir, progress, fingerprint(trainSource, testSource, options));
  }

  private static String fingerprint(ExampleSource trainSource, ExampleSource testSource, Options options) {
    return sha256(fingerprint(trainSource, options) + "+test:" + fingerprint(testSource, options));
  }

  /** Whether {@code dir} holds a verified teacher whose fingerprint is {@code fingerprint}. */
  static boolean matches(Path dir, String fingerprint) {
    if (!Files.isRegularFile(dir.resolve(TeacherDescriptor.FILE_NAME))) {
      return false;
    }
    try {
      return fingerprint.equals(TeacherDirectory.read(dir).options().get(FINGERPRINT));
    } catch (TeacherException e) {
      LOGGER.atWarn().addKeyValue("dir", dir).log("teacher directory is damaged, training again: " + e.getMessage());
      return false;
    }
  }

  private static Result train(ExampleSource source, ExampleSource testSource, Options requested, Path outDir,
      PrintStream printTo, String fingerprint) {
    Objects.requireNonNull(outDir, "outDir");
    // Progress is for people; a caller with no one to tell passes null.
    PrintStream progress = printTo != null ? printTo : new PrintStream(java.io.OutputStream.nullOutputStream());
    checkWritable(outDir);
    Options options = withSourceImageShape(source, requested);
    List<Example> labelled = labelled(source);
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    if (testSource == null) {
      for (Example example : labelled) {
        (TestSplit.isTest(example.id(), options.testPercent()) ? test : train).add(example);
      }
    } else {
      train.addAll(labelled);
      test.addAll(labelled(testSource));
    }
    List<String> classes = classes(source, testSource, labelled, test);
    Payload payload = payload(source.name(), labelled, options);
    checkEnough(source.name(), labelled.size(), train, test, classes, options, testSource != null);
    progress.printf(Locale.ROOT, "payload: %s%s (%,d labelled examples, %d classes: %s)%n", payload.label(),
        payload == Payload.IMAGE ? " " + options.imageRows() + "x" + options.imageCols() : "", labelled.size()
            + (testSource == null ? 0 : test.size()), classes.size(), abbreviate(classes));
    if (labelled.size() < source.size()) {
      progress.printf(Locale.ROOT, "left out: %,d examples without a label%n", source.size() - labelled.size());
    }
    progress.printf(Locale.ROOT, "split: %,d for training, %,d for testing (%s)%n", train.size(), test.size(),
        testSource == null ? options.testPercent() + "% by a hash of the example id" : "the test set " + testSource
            .name());
    if (payload == Payload.TEXT) {
      return TextPath.train(source.name(), train, test, classes, options, outDir, progress, fingerprint);
    }
    return trainDense(source.name(), payload, train, test, classes, options, outDir, progress, fingerprint);
  }

  private static Result trainDense(String sourceName, Payload payload, List<Example> train, List<Example> test,
      List<String> classes, Options options, Path outDir, PrintStream progress, String fingerprint) {
    InputFeatures features = switch (payload) {
      case IMAGE -> InputFeatures.image(options.imageRows() * options.imageCols());
      case VECTOR -> InputFeatures.fitVector(train.stream().map(Example::vector).toList());
      case STRUCTURED -> InputFeatures.fields(fitFields(train, options));
      case TEXT -> throw new IllegalStateException("text goes to the text trainer");
    };
    if (payload == Payload.STRUCTURED) {
      FieldSpec spec = features.fieldSpec();
      progress.printf(Locale.ROOT, "fields: %d numeric (standardised%s), %d categorical (one-hot, %d values and"
          + " 'unseen'); %d features, statistics from the training split%n", spec.numeric().size(),
          spec.numeric().stream().anyMatch(FieldSpec.NumericField::log) ? "; heavy-tailed ones log-scaled first" : "",
          spec.categorical().size(), spec.categorical().stream().mapToInt(f -> f.values().size()).sum(),
          spec.width());
    }
    DenseArchitecture architecture = new DenseArchitecture(features.width(), options.model(), options.hidden(),
        payload == Payload.IMAGE ? options.imageRows() : 0, payload == Payload.IMAGE ? options.imageCols() : 0,
        classes.size());
    progress.printf(Locale.ROOT, "model: %s (kind %s, ReLU, dropout %s on the hidden layers), %d epochs%n",
        architecture.describe(), DenseTeacherLoader.KIND, options.hiddenDropout(), options.epochs());
    DenseData trainData = rows(train, features, classes);
    DenseData testData = rows(test, features, classes);
    DenseNetTrainer.TrainedNet net = DenseNetTrainer.train(trainData, testData, architecture, options, progress);
    try {
      int[] actual = new int[test.size()];
      int[] predicted = new int[test.size()];
      for (int i = 0; i < test.size(); i++) {
        actual[i] = testData.label(i);
        predicted[i] = DenseNetTrainer.argMax(net.testLogits()[i]);
      }
      ClassReport report = ClassReport.of(classes, actual, predicted);
      report.print(progress);
      Map<String, Double> metrics = new LinkedHashMap<>(report.metrics());
      metrics.put("train.examples", (double) train.size());
      metrics.put("train.seconds", Math.round(net.seconds() * 10) / 10.0);
      metrics.put("train.loss", net.history().get(net.history().size() - 1).loss());
      metrics.put("epochs", (double) options.epochs());
      metrics.put("epoch.kept", (double) net.keptEpoch());
      Map<String, String> settings = new LinkedHashMap<>(architecture.toOptions());
      settings.put("payload", payload.label());
      settings.put("source", sourceName);
      settings.put("training", options.key());
      settings.put("optimizer", "adam, cosine decay to 1%");
      settings.put("embedding", "last hidden layer, after ReLU");
      settings.put(FINGERPRINT, fingerprint);
      TeacherDescriptor descriptor = write(outDir, net, features, new TeacherDescriptor(
          teacherId(sourceName, payload, options), "unsaved", DenseTeacherLoader.KIND, classes,
          payload == Payload.STRUCTURED ? TeacherDescriptor.STRUCTURED : TeacherDescriptor.VECTOR,
          payload == Payload.STRUCTURED ? 0 : features.width(), architecture.embeddingWidth(), Map.of(), metrics,
          settings), options.epochs());
      progress.printf("teacher %s, version %s, written to %s%n", descriptor.id(), descriptor.version(),
          outDir.toAbsolutePath());
      LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
          .addKeyValue("payload", payload.label()).addKeyValue("testAccuracy", report.accuracy())
          .addKeyValue("dir", outDir).log("teacher trained");
      return new Result(outDir, descriptor, payload, List.copyOf(test), net.testLogits());
    } finally {
      net.model().close();
    }
  }

  private static TeacherDescriptor write(Path outDir, DenseNetTrainer.TrainedNet net, InputFeatures features,
      TeacherDescriptor unsaved, int epochs) {
    Path work = null;
    try {
      Path parent = outDir.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      work = Files.createTempDirectory(parent, ".partial-" + outDir.getFileName() + "-");
      net.model().save(work, DenseTeacherLoader.PARAMS_PREFIX);
      String params = String.format(Locale.ROOT, "%s-%04d.params", DenseTeacherLoader.PARAMS_PREFIX, epochs);
      if (!Files.isRegularFile(work.resolve(params))) {
        throw new TeacherException("DJL did not write the expected parameter file " + params + " into " + work);
      }
      List<String> files = new ArrayList<>(List.of(params));
      String statistics = features.write(work);
      if (statistics != null) {
        files.add(statistics);
      }
      String version = version(work, files, unsaved.classes());
      TeacherDescriptor descriptor = new TeacherDescriptor(unsaved.id(), version, unsaved.kind(), unsaved.classes(),
          unsaved.input(), unsaved.vectorWidth(), unsaved.embeddingWidth(), Map.of(), unsaved.metrics(),
          unsaved.options());
      TeacherDescriptor written = TeacherDirectory.write(work, descriptor, files);
      CacheDirectories.moveIntoPlace(work, outDir, true);
      return written;
    } catch (IOException e) {
      throw new TeacherException("cannot write the teacher into " + outDir + ": " + e, e);
    } finally {
      if (work != null) {
        CacheDirectories.deleteRecursively(work);
      }
    }
  }

  /**
   * The version of the teacher whose {@code files} (names relative to {@code dir}) are written:
   * {@code sha256:} and the first 12 hex digits of a hash over each file's name and SHA-256 (the
   * weights and the input statistics) and the class names, in order. Two trainings that end in the
   * same teacher share it; two teachers that answer differently, if only in what they call a class,
   * never do, so that a soft label's teacher version always says which classes its logits are of.
   */
  static String version(Path dir, List<String> files, List<String> classes) {
    MessageDigest sha = newSha();
    for (String file : files) {
      update(sha, "file:" + file + "=" + TeacherDirectory.sha256(dir.resolve(file)));
    }
    for (String name : classes) {
      update(sha, "class:" + name);
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
  }

  /** Refuses, before any training, an output directory that holds something other than a teacher. */
  static void checkWritable(Path outDir) {
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new IllegalArgumentException("--out " + outDir + " is a file, not a directory");
    }
    if (Files.isDirectory(outDir) && !Files.isRegularFile(outDir.resolve(TeacherDescriptor.FILE_NAME))) {
      try (Stream<Path> entries = Files.list(outDir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("--out " + outDir + " is a directory with files but no teacher.json:"
              + " train-teacher replaces only teacher directories; name a new or empty directory");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("--out " + outDir + " cannot be read: " + e, e);
      }
    }
  }

  private static Options withSourceImageShape(ExampleSource source, Options options) {
    if (options.imageRows() > 0) {
      return options;
    }
    if (source instanceof IdxSource idx && idx.itemShape().length == 2) {
      return options.withImageShape(idx.itemShape()[0], idx.itemShape()[1]);
    }
    if (source instanceof MnistSource) {
      return options.withImageShape(28, 28);
    }
    return options;
  }

  private static List<Example> labelled(ExampleSource source) {
    List<Example> labelled = new ArrayList<>(source.size());
    for (int i = 0; i < source.size(); i++) {
      if (source.label(i) != null) {
        labelled.add(source.get(i));
      }
    }
    if (labelled.isEmpty()) {
      throw new IllegalArgumentException("train-teacher needs labelled data: --label-column names the column that"
          + " holds each example's class, and " + source.name() + " has no labels"
          + (source.size() == 0 ? " (and no examples)" : " (" + source.size() + " examples without a label)"));
    }
    return labelled;
  }

  private static List<String> classes(ExampleSource source, ExampleSource testSource, List<Example> labelled,
      List<Example> test) {
    Set<String> present = new LinkedHashSet<>();
    labelled.forEach(e -> present.add(e.label()));
    test.forEach(e -> present.add(e.label()));
    List<String> ordered = new ArrayList<>();
    // The source's own order when it has one (digits 0..9), so that logits read in a natural order.
    for (String name : source.classes()) {
      if (present.remove(name)) {
        ordered.add(name);
      }
    }
    ordered.addAll(present.stream().sorted().toList());
    return ordered;
  }

  private static Payload payload(String sourceName, List<Example> labelled, Options options) {
    boolean images = options.imageRows() > 0;
    Payload payload = Payload.of(labelled.get(0), images);
    int width = labelled.get(0).vector() == null ? -1 : labelled.get(0).vector().length;
    for (Example example : labelled) {
      Payload kind = Payload.of(example, images);
      if (kind != payload) {
        throw new IllegalArgumentException(sourceName + ": example " + example.id() + " carries " + kind.label()
            + ", the first one " + payload.label() + "; a teacher is trained on one payload (check --text-column,"
            + " --vector-column and --field-columns)");
      }
      if ((payload == Payload.VECTOR || payload == Payload.IMAGE) && example.vector().length != width) {
        throw new IllegalArgumentException(sourceName + ": example " + example.id() + " has a vector of "
            + example.vector().length + " values, the first one " + width + " (--vector-width skips other widths)");
      }
    }
    if (payload == Payload.IMAGE && (long) options.imageRows() * options.imageCols() != width) {
      throw new IllegalArgumentException("--image-shape " + options.imageRows() + "x" + options.imageCols() + " has "
          + options.imageRows() * options.imageCols() + " pixels, the vectors of " + sourceName + " have " + width);
    }
    return payload;
  }

  private static void checkEnough(String sourceName, int labelled, List<Example> train, List<Example> test,
      List<String> classes, Options options, boolean ownTestSet) {
    if (classes.size() < 2) {
      throw new IllegalArgumentException("train-teacher needs at least two classes, and every label of " + sourceName
          + " is '" + classes.get(0) + "' (check --label-column)");
    }
    if (train.size() < MIN_TRAIN || test.isEmpty()) {
      throw new IllegalArgumentException("too few labelled examples in " + sourceName + ": " + labelled + " give "
          + train.size() + " for training and " + test.size() + " for testing"
          + (ownTestSet ? "" : " at --test-percent " + options.testPercent()) + "; train-teacher needs at least "
          + MIN_TRAIN + " and 1");
    }
    long trainClasses = train.stream().map(Example::label).distinct().count();
    if (trainClasses < 2) {
      throw new IllegalArgumentException("the training split of " + sourceName + " holds one class only ("
          + train.get(0).label() + "); add examples or change --test-percent");
    }
  }

  private static FieldSpec fitFields(List<Example> train, Options options) {
    try {
      return FieldSpec.fit(train.stream().map(Example::fields).toList(), options.maxCategories());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read the records' fields (--field-columns): " + e.getMessage(), e);
    }
  }

  private static DenseData rows(List<Example> examples, InputFeatures features, List<String> classes) {
    int width = features.width();
    float[] x = new float[Math.multiplyExact(examples.size(), width)];
    int[] y = new int[examples.size()];
    Map<String, Integer> index = new TreeMap<>();
    for (int c = 0; c < classes.size(); c++) {
      index.put(classes.get(c), c);
    }
    for (int i = 0; i < examples.size(); i++) {
      Example example = examples.get(i);
      float[] row;
      try {
        row = features.apply(new TeacherInput(example.text(), example.vector(), example.fields()));
      } catch (TeacherException e) {
        throw new IllegalArgumentException("example " + example.id() + ": " + e.getMessage(), e);
      }
      System.arraycopy(row, 0, x, i * width, width);
      y[i] = index.get(example.label());
    }
    return new DenseData(x, y, width);
  }

  private static String teacherId(String sourceName, Payload payload, Options options) {
    String base = sourceName.replaceAll("[^A-Za-z0-9._-]+", "-");
    return base + "-" + payload.label() + "-" + options.model();
  }

  private static String abbreviate(List<String> classes) {
    return classes.size() <= 12 ? String.join(", ", classes)
        : String.join(", ", classes.subList(0, 12)) + ", ... (" + (classes.size() - 12) + " more)";
  }

  /**
   * A SHA-256 over the options and every example of the source (id, label and payload, in order):
   * the same file read with the same flags gives the same fingerprint, any change to a label, a
   * value or an option another one.
   */
  static String fingerprint(ExampleSource source, Options options) {
    MessageDigest sha = newSha();
    update(sha, "options:" + options.key());
    update(sha, "size:" + source.size());
    ByteBuffer floats = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < source.size(); i++) {
      Example example = source.get(i);
      update(sha, "id:" + example.id());
      update(sha, "label:" + example.label());
      if (example.text() != null) {
        update(sha, "text:" + example.text());
      }
      if (example.vector() != null) {
        float[] vector = example.vector();
        if (floats.capacity() < vector.length * 4) {
          floats = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        }
        floats.clear();
        floats.asFloatBuffer().put(vector);
        update(sha, "vector:" + vector.length);
        sha.update(floats.array(), 0, vector.length * 4);
      }
      if (example.fields() != null) {
        // Sorted, with the value's type: 6.0 and "6" are different records.
        StringBuilder record = new StringBuilder("fields:");
        new TreeMap<>(example.fields()).forEach((k, v) -> record.append(k).append('=')
            .append(v == null ? "null" : v.getClass().getSimpleName() + ":" + v).append(';'));
        update(sha, record.toString());
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String sha256(String text) {
    MessageDigest sha = newSha();
    update(sha, text);
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void update(MessageDigest sha, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    sha.update(bytes);
  }

  private static MessageDigest newSha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
