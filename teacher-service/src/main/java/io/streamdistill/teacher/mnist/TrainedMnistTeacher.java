package io.streamdistill.teacher.mnist;

import ai.djl.Model;
import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.teacher.generic.DjlVectorTeacher;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MNIST teacher just trained, still in memory: a {@link Teacher} like any loaded one (same
 * predictor code), with what training measured, and {@link #saveTo} to write it as a teacher
 * directory. Its descriptor is complete except for {@code files}, which only a saved teacher has.
 *
 * <p>Owns the DJL model; thread-safe like every {@link Teacher}.
 */
public final class TrainedMnistTeacher implements Teacher {
  private static final Logger LOGGER = LoggerFactory.getLogger(TrainedMnistTeacher.class);

  private final DjlVectorTeacher served;
  private final MnistTeacherTrainer.Options options;
  private final List<MnistTeacherTrainer.EpochStats> history;
  private final double trainSeconds;
  private final int trainExamples;
  private volatile int testErrors = -1;
  private volatile int testExamples;
  private volatile TeacherDescriptor descriptor;

  TrainedMnistTeacher(Model model, MnistTeacherTrainer.Options options, List<MnistTeacherTrainer.EpochStats> history,
      double trainSeconds, int trainExamples) {
    this.options = options;
    this.history = List.copyOf(history);
    this.trainSeconds = trainSeconds;
    this.trainExamples = trainExamples;
    this.descriptor = describe(options, weightsVersion(model), Map.of());
    this.served = new DjlVectorTeacher(model, descriptor);
  }

  /** Counts the errors on the test set and completes the descriptor's metrics with them. */
  void evaluate(MnistImages testSet) {
    try (TeacherPredictor predictor = served.newPredictor()) {
      testErrors = MnistTeacherTrainer.countErrors(predictor, testSet);
    }
    testExamples = testSet.size();
    MnistTeacherTrainer.EpochStats last = history.get(history.size() - 1);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test.errors", (double) testErrors);
    metrics.put("test.examples", (double) testExamples);
    metrics.put("test.accuracy", 1.0 - (double) testErrors / testExamples);
    metrics.put("train.examples", (double) trainExamples);
    metrics.put("train.seconds", Math.round(trainSeconds * 10) / 10.0);
    metrics.put("train.loss", last.loss());
    metrics.put("train.accuracy", last.trainAccuracy());
    metrics.put("epochs", (double) options.epochs());
    descriptor = describe(options, descriptor.version(), metrics);
  }

  static TeacherDescriptor describe(MnistTeacherTrainer.Options options, String version, Map<String, Double> metrics) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("hiddenWidth", Integer.toString(options.hiddenWidth()));
    settings.put("inputDropout", Float.toString(options.inputDropout()));
    settings.put("hiddenDropout", Float.toString(options.hiddenDropout()));
    settings.put("jitterPixels", Integer.toString(options.jitterPixels()));
    settings.put("epochs", Integer.toString(options.epochs()));
    settings.put("batchSize", Integer.toString(options.batchSize()));
    settings.put("learningRate", Double.toString(options.learningRate()));
    settings.put("seed", Long.toString(options.seed()));
    settings.put("trainLimit", Integer.toString(options.trainLimit()));
    settings.put("optimizer", "adam, cosine decay to 1%");
    settings.put("embedding", "second hidden layer, after ReLU");
    settings.put("optionsKey", options.key());
    settings.put("network", MnistTeacherTrainer.NETWORK);
    return new TeacherDescriptor(MnistTeacherTrainer.KIND + "-" + options.hiddenWidth(), version,
        MnistTeacherTrainer.KIND, MnistImages.CLASSES, TeacherDescriptor.VECTOR, MnistImages.PIXELS,
        options.hiddenWidth(), Map.of(), metrics, settings);
  }

  /** {@code sha256:} and the first 12 hex digits of the SHA-256 of the serialised parameters. */
  private static String weightsVersion(Model model) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), sha))) {
        model.getBlock().saveParameters(out);
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (IOException e) {
      throw new TeacherException("cannot serialise the MNIST teacher's parameters to hash them", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  @Override
  public TeacherDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public TeacherPredictor newPredictor() {
    return served.newPredictor();
  }

  public MnistTeacherTrainer.Options options() {
    return options;
  }

  /** Errors on the test set (of {@link #testExamples()}). */
  public int testErrors() {
    return testErrors;
  }

  public int testExamples() {
    return testExamples;
  }

  public double testAccuracy() {
    return 1.0 - (double) testErrors / testExamples;
  }

  /** Wall-clock seconds from reading the data to the end of the last epoch. */
  public double trainSeconds() {
    return trainSeconds;
  }

  /** One entry per epoch, in order. */
  public List<MnistTeacherTrainer.EpochStats> history() {
    return history;
  }

  /**
   * Writes the teacher into {@code dir}, which must not exist yet: DJL's parameter file and
   * {@code teacher.json} with its SHA-256. Written into a directory beside it and renamed, so
   * {@code dir} either does not exist or holds a complete teacher, whatever happens meanwhile.
   *
   * @return the descriptor as written (with {@code files})
   * @throws TeacherException when {@code dir} exists or cannot be written
   */
  public TeacherDescriptor saveTo(Path dir) {
    return saveTo(dir, false);
  }

  TeacherDescriptor saveTo(Path dir, boolean replace) {
    if (!replace && Files.exists(dir)) {
      throw new TeacherException("cannot save the MNIST teacher to " + dir + ": it exists already");
    }
    Path work = null;
    try {
      work = MnistTeacherTrainer.partialDirectory(dir);
      served.model().save(work, MnistTeacherTrainer.PARAMS_PREFIX);
      String params = String.format(Locale.ROOT, "%s-%04d.params", MnistTeacherTrainer.PARAMS_PREFIX, options.epochs());
      if (!Files.isRegularFile(work.resolve(params))) {
        throw new TeacherException("DJL did not write the expected parameter file " + params + " into " + work);
      }
      TeacherDescriptor written = TeacherDirectory.write(work, descriptor, List.of(params));
      MnistTeacherTrainer.moveIntoPlace(work, dir, replace);
      LOGGER.atInfo().addKeyValue("dir", dir).addKeyValue("teacherId", written.id())
          .addKeyValue("teacherVersion", written.version()).log("MNIST teacher saved");
      return written;
    } catch (IOException e) {
      throw new TeacherException("cannot save the MNIST teacher to " + dir + ": " + e, e);
    } finally {
      if (work != null) {
        CacheDirectories.deleteRecursively(work);
      }
    }
  }

  @Override
  public void close() {
    served.close();
  }
}
