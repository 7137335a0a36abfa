package io.streamdistill.teacher.training;

import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a trained network as a {@value DenseTeacherLoader#KIND} teacher directory: the weights and
 * the input statistics into a temporary directory next to the target, teacher.json with the
 * version they hash to ({@link TeacherHashes#version}), then renamed into place, so a directory with
 * the final name is always whole. Stateless.
 */
final class DenseTeacherWriter {
  private DenseTeacherWriter() {}

  /**
   * Writes {@code net} and {@code features} into {@code outDir}, replacing what is there.
   *
   * @param unsaved the descriptor to write, but for its version, which is computed here
   * @param epochs the epochs trained: DJL names the parameter file after them
   * @return the descriptor as written
   * @throws TeacherException when the directory cannot be written
   */
  static TeacherDescriptor write(Path outDir, DenseNetTrainer.TrainedNet net, InputFeatures features,
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
      String version = TeacherHashes.version(work, files, unsaved.classes());
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
}
