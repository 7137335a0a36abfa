package io.streamdistill.teacher.training;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads what {@link TeacherTraining} made for vectors, images and structured records (kind
 * {@value #KIND}): rebuilds the network teacher.json's options describe ({@link DenseArchitecture}),
 * reads DJL's parameter file into it, reads the input statistics ({@link InputFeatures}), and serves
 * it with one forward pass per micro-batch, returning the logits and the last hidden layer as the
 * embedding.
 *
 * <pre>{@code
 * try (Teacher teacher = DenseTeacherLoader.load(dir);          // verifies the sha256 first
 *     TeacherPredictor predictor = teacher.newPredictor()) {     // one per thread
 *   List<Prediction> predictions = predictor.predict(batch);
 * }
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class DenseTeacherLoader implements TeacherLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "dense-mlp";
  /** The name DJL gives the parameter file: {@code dense-mlp-EEEE.params}. */
  static final String PARAMS_PREFIX = "dense-mlp";
  private static final Logger LOGGER = LoggerFactory.getLogger(DenseTeacherLoader.class);
  private static final Pattern PARAMS_FILE = Pattern.compile(Pattern.quote(PARAMS_PREFIX) + "-(\\d{4})\\.params");

  @Override
  public String kind() {
    return KIND;
  }

  /** Reads and verifies {@code dir}'s teacher.json, then loads the teacher it describes. */
  public static Teacher load(Path dir) {
    return new DenseTeacherLoader().load(dir, TeacherDirectory.read(dir));
  }

  @Override
  public Teacher load(Path dir, TeacherDescriptor descriptor) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(descriptor, "descriptor");
    Path json = dir.resolve(TeacherDescriptor.FILE_NAME);
    if (!KIND.equals(descriptor.kind())) {
      throw new TeacherException("the " + KIND + " loader cannot load " + dir + ", whose teacher.json says kind "
          + descriptor.kind());
    }
    Payload payload = payload(descriptor, json);
    DenseArchitecture architecture = DenseArchitecture.fromOptions(descriptor.options(), descriptor.classes().size(),
        json.toString());
    if (descriptor.embeddingWidth() != 0 && descriptor.embeddingWidth() != architecture.embeddingWidth()) {
      throw new TeacherException(json + ": embeddingWidth must be 0 or the last hidden width "
          + architecture.embeddingWidth() + ", not " + descriptor.embeddingWidth());
    }
    if (payload != Payload.STRUCTURED && descriptor.vectorWidth() != architecture.inputWidth()) {
      throw new TeacherException(json + ": vectorWidth " + descriptor.vectorWidth() + " is not the network's input"
          + " width " + architecture.inputWidth());
    }
    InputFeatures features = InputFeatures.read(dir, payload, architecture.inputWidth());
    Matcher params = paramsFile(descriptor, json);
    long started = System.nanoTime();
    Model model = Model.newInstance(descriptor.id(), Device.cpu(), "PyTorch");
    DenseTeacher teacher;
    try {
      // Dropout rates do not matter at inference; the structure must match the saved one.
      model.setBlock(new DenseNetBlock(architecture, 0f, 0f));
      // The epoch option makes DJL read exactly the file teacher.json lists (and so verified).
      model.load(dir, PARAMS_PREFIX, Map.of("epoch", params.group(1)));
      teacher = new DenseTeacher(model, descriptor, features);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new TeacherException("cannot load the parameters " + dir.resolve(params.group()) + ": " + e.getMessage(),
          e);
    }
    try {
      teacher.warmUp();
    } catch (TeacherException e) {
      teacher.close();
      throw new TeacherException(dir.resolve(params.group()) + " does not fit the network teacher.json describes ("
          + architecture.describe() + "): " + e.getMessage(), e);
    }
    LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
        .addKeyValue("kind", KIND).addKeyValue("network", architecture.describe()).addKeyValue("dir", dir)
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("teacher loaded");
    return teacher;
  }

  private static Payload payload(TeacherDescriptor descriptor, Path json) {
    String value = descriptor.options().get("payload");
    Payload payload;
    try {
      payload = Payload.valueOf(String.valueOf(value).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TeacherException(json + ": options.payload must be vector, image or structured, not " + value, e);
    }
    if (payload == Payload.TEXT) {
      throw new TeacherException(json + ": a " + KIND + " teacher does not read text");
    }
    if ((payload == Payload.STRUCTURED) != descriptor.takesFields()) {
      throw new TeacherException(json + ": options.payload " + value + " does not match input " + descriptor.input());
    }
    return payload;
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
      throw new TeacherException(json + " lists no parameter file (" + PARAMS_PREFIX + "-EEEE.params) among "
          + descriptor.files().keySet());
    }
    return found;
  }
}
