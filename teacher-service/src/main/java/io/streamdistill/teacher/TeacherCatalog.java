package io.streamdistill.teacher;

import io.streamdistill.teacher.generic.OnnxTeacherLoader;
import io.streamdistill.teacher.generic.TorchScriptTeacherLoader;
import io.streamdistill.teacher.mnist.MnistTeacherLoader;
import io.streamdistill.teacher.mnist.MnistTeacherTrainer;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import io.streamdistill.teacher.remote.HfTeacherLoader;
import io.streamdistill.teacher.remote.LlmTeacherLoader;
import io.streamdistill.teacher.remote.OipTeacherLoader;
import io.streamdistill.teacher.remote.V1TeacherLoader;
import io.streamdistill.teacher.text.OnnxTextTeacherLoader;
import io.streamdistill.teacher.text.TextTeacherLoader;
import io.streamdistill.teacher.text.TextTeacherTrainer;
import io.streamdistill.teacher.training.DenseTeacherLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds and loads teachers by the names people give them: {@code mnist} and {@code mail} (the
 * project's own, trained on first use and cached), or a directory with a {@code teacher.json}.
 * Every load verifies the files' SHA-256 first ({@link TeacherDirectory#read}).
 */
public final class TeacherCatalog {
  /** The loaders by kind; a directory's teacher.json says which one reads it. */
  private static final Map<String, TeacherLoader> LOADERS = List.of(
          new MnistTeacherLoader(), new TextTeacherLoader(), new TorchScriptTeacherLoader(), new OnnxTeacherLoader(),
          new OnnxTextTeacherLoader(), new DenseTeacherLoader(), new OipTeacherLoader(),
          new V1TeacherLoader(), new HfTeacherLoader(), new LlmTeacherLoader())
      .stream().collect(Collectors.toMap(TeacherLoader::kind, Function.identity()));

  /** The project's own teachers, by name: trained on first use and cached. */
  public static final List<String> PRESETS = List.of("mnist", "mail");

  private TeacherCatalog() {}

  /** Whether {@code name} is one of the {@link #PRESETS} rather than a directory. */
  public static boolean isPreset(String name) {
    return PRESETS.contains(name);
  }

  /** The directory of a named teacher, training and caching the project's own ones when needed. */
  public static Path resolve(String name) {
    return switch (name) {
      case "mnist" -> MnistTeacherTrainer.trainedOrCached(MnistTeacherTrainer.defaultCacheDirectory(),
          MnistTeacherTrainer.Options.DEFAULT);
      case "mail" -> TextTeacherTrainer.trainedOrCached(TextTeacherTrainer.defaultCacheDirectory(),
          TextTeacherTrainer.Options.defaults()).directory();
      default -> {
        Path dir = Path.of(name);
        if (!Files.isDirectory(dir)) {
          throw new IllegalArgumentException("--teacher " + name + " is neither mnist, mail, nor a directory");
        }
        yield dir;
      }
    };
  }

  /** Resolves, verifies and loads a teacher. */
  public static Teacher load(String name) {
    Path dir = resolve(name);
    TeacherDescriptor descriptor = TeacherDirectory.read(dir);
    TeacherLoader loader = LOADERS.get(descriptor.kind());
    if (loader == null) {
      throw new TeacherException(dir.resolve(TeacherDescriptor.FILE_NAME) + " has kind '" + descriptor.kind()
          + "', which no loader reads; known kinds: " + LOADERS.keySet());
    }
    return loader.load(dir, descriptor);
  }
}
