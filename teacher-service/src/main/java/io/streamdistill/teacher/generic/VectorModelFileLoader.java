package io.streamdistill.teacher.generic;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the generic loaders share: find the one model file the descriptor names (and has verified),
 * load it with a DJL engine on the CPU, wrap it in a {@link DjlVectorTeacher} and run one input
 * through it so that a wrong model fails here, naming its file.
 */
abstract class VectorModelFileLoader implements TeacherLoader {
  /** teacher.json option naming the model file, when {@code files} lists more than one. */
  static final String FILE_OPTION = "file";
  /** teacher.json options with this prefix go to the DJL engine, without it (e.g. {@code engine.intraOpNumThreads}). */
  static final String ENGINE_OPTION_PREFIX = "engine.";

  private static final Logger LOGGER = LoggerFactory.getLogger(VectorModelFileLoader.class);

  private final String kind;
  private final String engineName;
  private final String fileDescription;

  VectorModelFileLoader(String kind, String engineName, String fileDescription) {
    this.kind = kind;
    this.engineName = engineName;
    this.fileDescription = fileDescription;
  }

  @Override
  public final String kind() {
    return kind;
  }

  @Override
  public final Teacher load(Path dir, TeacherDescriptor descriptor) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(descriptor, "descriptor");
    if (!kind.equals(descriptor.kind())) {
      throw new TeacherException("the " + kind + " loader cannot load " + dir + ", whose teacher.json says kind "
          + descriptor.kind());
    }
    if (descriptor.takesText()) {
      throw new TeacherException(dir.resolve(TeacherDescriptor.FILE_NAME) + ": a " + kind
          + " teacher takes vector input; text input needs its own loader");
    }
    Path file = modelFile(dir, descriptor);
    long started = System.nanoTime();
    Model model;
    OnnxRuntimeNatives.prepareFor(engineName);
    try {
      model = Model.newInstance(descriptor.id(), Device.cpu(), engineName);
    } catch (RuntimeException e) {
      throw new TeacherException("cannot start the " + engineName + " engine to load " + file + ": " + e.getMessage(),
          e);
    }
    DjlVectorTeacher teacher;
    try {
      // A path to the file itself: both engines then load exactly that file, whatever its name.
      model.load(file, null, engineOptions(descriptor));
      teacher = new DjlVectorTeacher(model, descriptor);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new TeacherException("cannot load " + file + " as " + fileDescription + ": " + EngineMessages.of(e), e);
    }
    try {
      teacher.warmUp();
    } catch (TeacherException e) {
      teacher.close();
      throw new TeacherException(file + " loaded, but it does not behave as its teacher.json says (input (N, "
          + descriptor.vectorWidth() + ") float32, output 0 (N, " + descriptor.classes().size() + ") logits"
          + (descriptor.embeddingWidth() > 0 ? ", output 1 (N, " + descriptor.embeddingWidth() + ") embedding" : "")
          + "): " + e.getMessage(), e);
    }
    LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
        .addKeyValue("kind", kind).addKeyValue("file", file)
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("teacher loaded");
    return teacher;
  }

  /**
   * The model file: {@code options.file}, or the only entry of {@code files}. Either way it must be
   * one of the files whose SHA-256 teacher.json lists, or it would be loaded unverified.
   */
  static Path modelFile(Path dir, TeacherDescriptor descriptor) {
    Path json = dir.resolve(TeacherDescriptor.FILE_NAME);
    String name = descriptor.options().get(FILE_OPTION);
    if (name == null) {
      if (descriptor.files().size() != 1) {
        throw new TeacherException(json + " lists " + descriptor.files().size() + " files "
            + descriptor.files().keySet() + "; say which one is the model with \"options\": {\"" + FILE_OPTION
            + "\": \"...\"}");
      }
      name = descriptor.files().keySet().iterator().next();
    } else if (!descriptor.files().containsKey(name)) {
      throw new TeacherException(json + " names the model file " + name + " in its options but not in \"files\" with"
          + " its sha256: refusing to load an unverified model");
    }
    Path file = dir.resolve(name).normalize();
    if (!file.startsWith(dir.normalize())) {
      throw new TeacherException(json + " names a model file outside its directory: " + name);
    }
    if (!Files.isRegularFile(file)) {
      throw new TeacherException(json + " names the model file " + name + ", which is missing from " + dir);
    }
    return file;
  }

  private static Map<String, Object> engineOptions(TeacherDescriptor descriptor) {
    Map<String, Object> options = new HashMap<>();
    descriptor.options().forEach((key, value) -> {
      if (key.startsWith(ENGINE_OPTION_PREFIX)) {
        options.put(key.substring(ENGINE_OPTION_PREFIX.length()), value);
      }
    });
    return options;
  }
}
