package io.streamdistill.teacher.training;

import io.streamdistill.config.NameLists;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One way to a teacher for any labelled data set, the model chosen by what the examples carry
 * ({@link Payload}): text goes to the text trainer (a frozen sentence encoder plus a head); dense
 * vectors, images and structured records to a network trained here with DJL/PyTorch (kind
 * {@value DenseTeacherLoader#KIND}: an MLP with ReLU and dropout, or a small CNN for images; records
 * are featurized by the student's own {@link io.streamdistill.student.FieldFeaturizer} over a
 * {@link io.streamdistill.student.FieldSpec} fitted on the train split). A test split is kept apart
 * by a hash of each example's id ({@link TestSplit}); the result is a verified teacher directory
 * whose teacher.json holds the test figures and a fingerprint of the data and the options.
 *
 * <pre>{@code
 * ExampleSource flows = sourceOptions.open("flows.csv");
 * Path dir = TeacherTraining.trainOrReuse(flows, TeacherTraining.Options.defaults(), Path.of("teachers/flows"),
 *     System.out);                          // trains, or finds the same teacher already there
 * try (Teacher teacher = TeacherCatalog.load(dir.toString())) { ... }
 * }</pre>
 *
 * <p>This class holds the options and the entry points: it checks the data ({@link LabelledData}),
 * splits it, and hands text to {@link TextPath}, everything else to {@link DensePath}; {@link
 * TeacherHashes} computes the fingerprint.
 *
 * <p>Stateless; training runs in the calling thread. PyTorch's seed is engine-wide, so two trainings
 * in one process should not run at once.
 */
public final class TeacherTraining {
  private static final Logger LOGGER = LoggerFactory.getLogger(TeacherTraining.class);
  /** The option in teacher.json that {@link #trainOrReuse} compares. */
  static final String FINGERPRINT = "fingerprint";

  private TeacherTraining() {}

  /**
   * How a teacher is trained; every field is part of the fingerprint.
   *
   * @param model {@code mlp}, {@code cnn} (images only) or {@code auto}: the CNN for images of a known
   *     shape (an IDX file, a folder of images, {@code --image-shape}), the MLP for anything else
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
   * @param maxSeconds for networks, fewer epochs than {@code epochs} when they would not end within this many
   *     seconds of the first epoch's start, told from the epochs' pace; for text, a random share of the texts
   *     when embedding them all would not end within it, told from a probe's pace (0: no limit)
   */
  public record Options(String model, int epochs, List<Integer> hidden, int testPercent, long seed, String encoder,
      int batchSize, double learningRate, float inputDropout, float hiddenDropout, int jitter, int imageRows,
      int imageCols, int maxCategories, int validationPercent, long maxSeconds) {
    public static final String AUTO = "auto";
    public static final String DEFAULT_MODEL = AUTO;
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
      if (!DenseArchitecture.MLP.equals(model) && !DenseArchitecture.CNN.equals(model) && !AUTO.equals(model)) {
        throw new IllegalArgumentException("--model must be auto, mlp or cnn, not " + model);
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
      if (maxSeconds < 0) {
        throw new IllegalArgumentException("--max-time must not be negative, not " + maxSeconds + " s");
      }
    }

    /** An MLP 256-256 with dropout 0.3, 30 epochs of 128 at Adam 0.002, 20% for testing, MiniLM for text. */
    public static Options defaults() {
      return new Options(DEFAULT_MODEL, DEFAULT_EPOCHS, DEFAULT_HIDDEN, DEFAULT_TEST_PERCENT, DEFAULT_SEED,
          DEFAULT_ENCODER, DEFAULT_BATCH_SIZE, DEFAULT_LEARNING_RATE, 0f, DEFAULT_HIDDEN_DROPOUT, 0, 0, 0,
          DEFAULT_MAX_CATEGORIES, DEFAULT_VALIDATION_PERCENT, 0);
    }

    public Options withModel(String value) {
      return new Options(value, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withEpochs(int value) {
      return new Options(model, value, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withHidden(List<Integer> value) {
      return new Options(model, epochs, value, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withTestPercent(int value) {
      return new Options(model, epochs, hidden, value, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withSeed(long value) {
      return new Options(model, epochs, hidden, testPercent, value, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withEncoder(String value) {
      return new Options(model, epochs, hidden, testPercent, seed, value, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withBatchSize(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, value, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withLearningRate(double value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, value, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withDropout(float input, float hiddenRate) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, input,
          hiddenRate, jitter, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withJitter(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, value, imageRows, imageCols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withImageShape(int rows, int cols) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, rows, cols, maxCategories, validationPercent, maxSeconds);
    }

    public Options withMaxCategories(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, value, validationPercent, maxSeconds);
    }

    public Options withValidationPercent(int value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, value, maxSeconds);
    }

    public Options withMaxSeconds(long value) {
      return new Options(model, epochs, hidden, testPercent, seed, encoder, batchSize, learningRate, inputDropout,
          hiddenDropout, jitter, imageRows, imageCols, maxCategories, validationPercent, value);
    }

    /**
     * Every setting, in one line: part of the fingerprint and written into teacher.json. A time limit is
     * there only when set, so that the teachers trained without one before it existed stay found.
     */
    public String key() {
      return model + "-h" + hidden.stream().map(String::valueOf).collect(Collectors.joining("x")) + "-e" + epochs
          + "-b" + batchSize + "-lr" + plain(learningRate) + "-s" + seed + "-t" + testPercent + "-di"
          + plain(inputDropout) + "-dh" + plain(hiddenDropout) + "-j" + jitter + "-img" + imageRows + "x" + imageCols
          + "-c" + maxCategories + "-v" + validationPercent + "-enc" + encoder + (maxSeconds > 0 ? "-max" + maxSeconds
          + "s" : "");
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
    String fingerprint = TeacherHashes.fingerprint(source, options);
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
    String fingerprint = TeacherHashes.fingerprint(trainSource, testSource, options);
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
    return train(source, null, options, outDir, progress, TeacherHashes.fingerprint(source, options));
  }

  /**
   * Trains on all of {@code trainSource} and tests on all of {@code testSource} (a data set that
   * comes with its own test set, as MNIST does); {@code testPercent} plays no part.
   */
  public static Result train(ExampleSource trainSource, ExampleSource testSource, Options options, Path outDir,
      PrintStream progress) {
    Objects.requireNonNull(testSource, "testSource");
    return train(trainSource, testSource, options, outDir, progress,
        TeacherHashes.fingerprint(trainSource, testSource, options));
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
    TeacherDirectory.requireReplaceable(outDir, "--out");
    Options options = LabelledData.withSourceImageShape(source, requested);
    List<Example> labelled = LabelledData.labelled(source);
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    if (testSource == null) {
      for (Example example : labelled) {
        (TestSplit.isTest(example.id(), options.testPercent()) ? test : train).add(example);
      }
    } else {
      train.addAll(labelled);
      test.addAll(LabelledData.labelled(testSource));
    }
    List<String> classes = LabelledData.classes(source, labelled, test);
    Payload payload = LabelledData.payload(source.name(), labelled, options);
    options = LabelledData.withModelFor(payload, options);
    LabelledData.checkEnough(source.name(), labelled.size(), train, test, classes, options, testSource != null);
    progress.printf(Locale.ROOT, "payload: %s%s (%,d labelled examples, %d classes: %s)%n", payload.label(),
        payload == Payload.IMAGE ? " " + options.imageRows() + "x" + options.imageCols()
            + (labelled.get(0).vector().length == 3 * options.imageRows() * options.imageCols() ? " in colour" : "")
            : "", labelled.size()
            + (testSource == null ? 0 : test.size()), classes.size(), NameLists.abbreviate(classes, NameLists.SHOWN));
    if (labelled.size() < source.size()) {
      progress.printf(Locale.ROOT, "left out: %,d examples without a label%n", source.size() - labelled.size());
    }
    progress.printf(Locale.ROOT, "split: %,d for training, %,d for testing (%s)%n", train.size(), test.size(),
        testSource == null ? options.testPercent() + "% by a hash of the example id" : "the test set " + testSource
            .name());
    if (payload == Payload.TEXT) {
      return TextPath.train(source.name(), train, test, classes, options, outDir, progress, fingerprint);
    }
    return DensePath.train(source.name(), payload, train, test, classes, options, outDir, progress, fingerprint);
  }
}
