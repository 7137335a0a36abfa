package io.streamdistill.teacher.text;

import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherLoader;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Loads the older {@value #KIND} teacher directories (a MiniLM encoder with a head, as trained
 * before the {@value OnnxTextTeacherLoader#KIND} layout) by the same code as {@link
 * OnnxTextTeacherLoader}: only the file names and option names differ.
 *
 * <pre>
 * "options": {"encoder": "encoder.onnx", "tokenizer": "tokenizer.json", "head": "head.bin", "maxTokens": "256"}
 * </pre>
 *
 * <p>Mean pooling, L2-normalised. Stateless and thread-safe.
 */
public final class TextTeacherLoader implements TeacherLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "minilm-head";
  /** Option: the ONNX encoder's file name. */
  public static final String OPTION_ENCODER = "encoder";
  /** Option: where texts are cut, in tokens. */
  public static final String OPTION_MAX_TOKENS = "maxTokens";

  private static final OnnxTextTeacherLoader.Layout LAYOUT =
      new OnnxTextTeacherLoader.Layout(OPTION_ENCODER, "encoder.onnx", OPTION_MAX_TOKENS, LogisticHead.FILE_NAME);

  private final int threads;

  /** A loader whose encoders use ONNX Runtime's default thread count (one per core). */
  public TextTeacherLoader() {
    this(0);
  }

  /** A loader whose encoders each use {@code threads} intra-op threads (0 for ONNX Runtime's default). */
  public TextTeacherLoader(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, not " + threads);
    }
    this.threads = threads;
  }

  /** Reads, verifies and loads the teacher in {@code dir}, of either text kind. */
  public static TextTeacher open(Path dir) {
    return OnnxTextTeacherLoader.open(dir);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public TextTeacher load(Path dir, TeacherDescriptor descriptor) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(descriptor, "descriptor");
    OnnxTextTeacherLoader.requireKind(dir, descriptor, KIND);
    return OnnxTextTeacherLoader.load(dir, descriptor, LAYOUT, threads);
  }
}
