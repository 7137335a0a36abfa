package io.streamdistill.teacher.mnist;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.streamdistill.teacher.generic.DjlVectorTeacher;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import io.streamdistill.teacher.training.DenseNetBlock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the MNIST teacher that {@link MnistTeacherTrainer} saved (kind {@code mnist-mlp}): rebuilds
 * the same network, reads DJL's parameter file into it, and serves it through
 * {@link DjlVectorTeacher}: one forward pass per micro-batch, in inference mode (no dropout),
 * returning the 10 logits and, when {@code embeddingWidth} is not 0, the second hidden layer as the
 * embedding.
 *
 * <pre>{@code
 * try (Teacher teacher = MnistTeacherLoader.load(dir);          // verifies the sha256 first
 *     TeacherPredictor predictor = teacher.newPredictor()) {     // one per thread
 *   List<Prediction> predictions = predictor.predict(batch);
 * }
 * }</pre>
 *
 * <p>Stateless and thread-safe; the model is loaded once per {@link #load} call and shared by the
 * predictors of the returned teacher.
 */
public final class MnistTeacherLoader implements TeacherLoader {
  private static final Logger LOGGER = LoggerFactory.getLogger(MnistTeacherLoader.class);
  private static final Pattern PARAMS_FILE = Pattern.compile("(.+)-(\\d{4})\\.params");

  @Override
  public String kind() {
    return MnistTeacherTrainer.KIND;
  }

  /** Reads and verifies {@code dir}'s teacher.json, then loads the teacher it describes. */
  public static Teacher load(Path dir) {
    TeacherDescriptor descriptor = TeacherDirectory.read(dir);
    return new MnistTeacherLoader().load(dir, descriptor);
  }

  @Override
  public Teacher load(Path dir, TeacherDescriptor descriptor) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(descriptor, "descriptor");
    Path json = dir.resolve(TeacherDescriptor.FILE_NAME);
    if (!MnistTeacherTrainer.KIND.equals(descriptor.kind())) {
      throw new TeacherException("the " + MnistTeacherTrainer.KIND + " loader cannot load " + dir
          + ", whose teacher.json says kind " + descriptor.kind());
    }
    if (descriptor.vectorWidth() != MnistImages.PIXELS || descriptor.classes().size() != MnistMlpBlock.CLASSES) {
      throw new TeacherException(json + ": an " + MnistTeacherTrainer.KIND + " teacher takes 784 pixels and has 10"
          + " classes, this one says vectorWidth " + descriptor.vectorWidth() + " and " + descriptor.classes().size()
          + " classes");
    }
    int hidden = intOption(descriptor, json, "hiddenWidth");
    if (descriptor.embeddingWidth() != 0 && descriptor.embeddingWidth() != hidden) {
      throw new TeacherException(json + ": embeddingWidth must be 0 or the hidden width " + hidden + ", not "
          + descriptor.embeddingWidth());
    }
    Matcher params = paramsFile(descriptor, json);
    long started = System.nanoTime();
    Model model = Model.newInstance(descriptor.id(), Device.cpu(), "PyTorch");
    DjlVectorTeacher teacher;
    try {
      // Dropout rates do not matter at inference; the structure must match the saved one: the
      // generic trainer's network, or for a teacher saved before it, the original block.
      model.setBlock(MnistTeacherTrainer.NETWORK.equals(descriptor.options().get("network"))
          ? new DenseNetBlock(MnistTeacherTrainer.architecture(hidden), 0f, 0f) : new MnistMlpBlock(hidden, 0f, 0f));
      // The epoch option makes DJL read exactly the file teacher.json lists (and so verified).
      model.load(dir, params.group(1), Map.of("epoch", params.group(2)));
      teacher = new DjlVectorTeacher(model, descriptor);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new TeacherException("cannot load the MNIST teacher's parameters " + dir.resolve(params.group())
          + ": " + e.getMessage(), e);
    }
    try {
      teacher.warmUp();
    } catch (TeacherException e) {
      teacher.close();
      throw new TeacherException(dir.resolve(params.group()) + " does not fit the network teacher.json describes"
          + " (hiddenWidth " + hidden + "): " + e.getMessage(), e);
    }
    LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
        .addKeyValue("kind", descriptor.kind()).addKeyValue("dir", dir)
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("teacher loaded");
    return teacher;
  }

  private static Matcher paramsFile(TeacherDescriptor descriptor, Path json) {
    Matcher found = null;
    for (String name : descriptor.files().keySet()) {
      Matcher matcher = PARAMS_FILE.matcher(name);
      if (matcher.matches()) {
        if (found != null) {
          throw new TeacherException(json + " lists more than one parameter file: " + found.group() + ", " + name);
        }
        found = matcher;
      }
    }
    if (found == null) {
      throw new TeacherException(json + " lists no DJL parameter file (NAME-EEEE.params) among " + descriptor.files()
          .keySet());
    }
    return found;
  }

  private static int intOption(TeacherDescriptor descriptor, Path json, String key) {
    String value = descriptor.options().get(key);
    if (value == null) {
      throw new TeacherException(json + " has no options." + key + "; an " + MnistTeacherTrainer.KIND
          + " teacher needs it to rebuild its network");
    }
    try {
      int parsed = Integer.parseInt(value.strip());
      if (parsed < 1) {
        throw new NumberFormatException("not positive");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new TeacherException(json + ": options." + key + " must be a positive integer, not " + value, e);
    }
  }
}
