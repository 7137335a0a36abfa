package io.streamdistill.teacher.text;

import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a text teacher directory the way {@link TextTeacherTrainer} promises: into a temporary
 * directory next to the target ({@link #newWorkDirectory}), verified by reading it back as a loader
 * will ({@link #write}), then renamed into place ({@link #moveIntoPlace}), so a directory with the
 * final name is always whole. Partial directories left by a killed run are removed once stale.
 * Stateless.
 */
final class TextTeacherWriter {
  // Logs under the trainer's name, as it did before this class was split from it.
  private static final Logger LOGGER = LoggerFactory.getLogger(TextTeacherTrainer.class);
  private static final String PARTIAL_PREFIX = ".partial-";
  private static final Duration STALE_PARTIAL_AGE = Duration.ofHours(6);

  private TextTeacherWriter() {}

  /**
   * A new temporary directory next to {@code target}, named after it, to write the teacher into;
   * stale ones of earlier runs are removed first.
   *
   * @throws TeacherException when the directory cannot be created
   */
  static Path newWorkDirectory(Path target) {
    Path parent = target.getParent();
    try {
      Files.createDirectories(parent);
      CacheDirectories.removeStale(parent, PARTIAL_PREFIX + target.getFileName() + "-*", STALE_PARTIAL_AGE);
      return Files.createTempDirectory(parent, PARTIAL_PREFIX + target.getFileName() + "-");
    } catch (IOException e) {
      throw new TeacherException("cannot create a directory next to " + target + ": " + e, e);
    }
  }

  /**
   * Writes config.json, the head and teacher.json into {@code dir}, which holds the encoder's files
   * already ({@link TextEncoder#copyTo}), and reads the directory back as a loader will, so a
   * directory that would be refused is never moved into place.
   */
  static TeacherDescriptor write(Path dir, String teacherId, List<String> classes, LogisticHead head,
      NgramFeaturizer.Settings ngrams, String encoderFingerprint, int maxTokens, OnnxTextModel.Pooling pooling,
      Map<String, Double> metrics, Map<String, String> training) {
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
    if (ngrams != null) {
      options.put(OnnxTextTeacherLoader.OPTION_NGRAMS, NgramBlock.describe(ngrams));
    }
    options.putAll(training);
    String version = TextTeacherHashes.version(TeacherDirectory.sha256(dir.resolve(LogisticHead.FILE_NAME)),
        encoderFingerprint, maxTokens, pooling, classes, ngrams);
    // The embedding the teacher publishes (for hint and relational terms) is the encoder's, not the n-grams.
    int embeddingWidth = head.width() - (ngrams == null ? 0 : ngrams.buckets());
    TeacherDescriptor descriptor = new TeacherDescriptor(teacherId, version, OnnxTextTeacherLoader.KIND, classes,
        TeacherDescriptor.TEXT, 0, embeddingWidth, Map.of(), metrics, options);
    TeacherDirectory.write(dir, descriptor, List.of(EncoderFiles.MODEL_FILE, EncoderFiles.TOKENIZER_FILE,
        TextModelConfig.FILE_NAME, LogisticHead.FILE_NAME));
    return TeacherDirectory.read(dir);
  }

  /** Renames the finished {@code work} directory to {@code target}, replacing what is there. */
  static void moveIntoPlace(Path work, Path target) {
    try {
      if (!CacheDirectories.moveIntoPlace(work, target, true)) {
        LOGGER.atInfo().addKeyValue("dir", target).log("another process wrote the teacher first; keeping that one");
      }
    } catch (IOException e) {
      throw new TeacherException("cannot move the new teacher to " + target + ": " + e, e);
    }
  }
}
