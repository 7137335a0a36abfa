package io.streamdistill.teacher.text;

import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@value #KIND} teachers: a MiniLM ONNX encoder, its tokenizer and a {@link LogisticHead},
 * from a directory that {@link TeacherDirectory#read} has verified.
 *
 * <p>The descriptor's options name the files and the token cut (all optional, defaults shown):
 *
 * <pre>
 * "options": {"encoder": "encoder.onnx", "tokenizer": "tokenizer.json", "head": "head.bin", "maxTokens": "256"}
 * </pre>
 *
 * <p>Each named file must be among the descriptor's hashed {@code files}: nothing unverified is
 * loaded. Stateless and thread-safe.
 */
public final class TextTeacherLoader implements TeacherLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "minilm-head";
  /** Option: the ONNX encoder's file name. */
  public static final String OPTION_ENCODER = "encoder";
  /** Option: the tokenizer's file name. */
  public static final String OPTION_TOKENIZER = "tokenizer";
  /** Option: the head's file name. */
  public static final String OPTION_HEAD = "head";
  /** Option: where texts are cut, in tokens. */
  public static final String OPTION_MAX_TOKENS = "maxTokens";

  private static final Logger LOGGER = LoggerFactory.getLogger(TextTeacherLoader.class);

  private final int threads;

  /** A loader whose encoders use ONNX Runtime's default thread count (one per core). */
  public TextTeacherLoader() {
    this(0);
  }

  /**
   * A loader whose encoders each use {@code threads} intra-op threads (0 for ONNX Runtime's
   * default); lower it when several predictors run at once on few cores.
   */
  public TextTeacherLoader(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, not " + threads);
    }
    this.threads = threads;
  }

  /** Reads, verifies and loads the teacher in {@code dir}. */
  public static TextTeacher open(Path dir) {
    return new TextTeacherLoader().load(dir, TeacherDirectory.read(dir));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public TextTeacher load(Path dir, TeacherDescriptor descriptor) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(descriptor, "descriptor");
    String where = dir.resolve(TeacherDescriptor.FILE_NAME).toString();
    if (!KIND.equals(descriptor.kind())) {
      throw new TeacherException(where + " is a " + descriptor.kind() + " teacher, not " + KIND);
    }
    if (!descriptor.takesText()) {
      throw new TeacherException(where + ": a " + KIND + " teacher reads text, but input is " + descriptor.input());
    }
    if (descriptor.embeddingWidth() != MiniLmEncoder.DIMENSION) {
      throw new TeacherException(where + ": embeddingWidth is " + descriptor.embeddingWidth() + ", the MiniLM encoder's"
          + " is " + MiniLmEncoder.DIMENSION);
    }
    Path encoderFile = verifiedFile(dir, descriptor, OPTION_ENCODER, EncoderFiles.MODEL_FILE);
    Path tokenizerFile = verifiedFile(dir, descriptor, OPTION_TOKENIZER, EncoderFiles.TOKENIZER_FILE);
    Path headFile = verifiedFile(dir, descriptor, OPTION_HEAD, LogisticHead.FILE_NAME);
    int maxTokens = maxTokens(descriptor, where);

    LogisticHead head = LogisticHead.read(headFile);
    if (head.classes() != descriptor.classes().size() || head.width() != MiniLmEncoder.DIMENSION) {
      throw new TeacherException(headFile + " is a " + head.classes() + " x " + head.width() + " head, but " + where
          + " describes " + descriptor.classes().size() + " classes on " + MiniLmEncoder.DIMENSION + " dimensions");
    }
    MiniLmEncoder encoder = MiniLmEncoder.open(new EncoderFiles(encoderFile, tokenizerFile), maxTokens, threads);
    LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
        .addKeyValue("dir", dir).addKeyValue("maxTokens", maxTokens).log("text teacher loaded");
    return new TextTeacher(descriptor, encoder, head);
  }

  private static Path verifiedFile(Path dir, TeacherDescriptor descriptor, String option, String defaultName) {
    String name = descriptor.options().getOrDefault(option, defaultName);
    if (!descriptor.files().containsKey(name)) {
      throw new TeacherException(dir.resolve(TeacherDescriptor.FILE_NAME) + " does not list " + name + " ("
          + option + ") with its sha256 among its files " + descriptor.files().keySet()
          + ": refusing to load an unverified file");
    }
    return dir.resolve(name);
  }

  private static int maxTokens(TeacherDescriptor descriptor, String where) {
    String value =
        descriptor.options().getOrDefault(OPTION_MAX_TOKENS, Integer.toString(MiniLmEncoder.DEFAULT_MAX_TOKENS));
    try {
      int maxTokens = Integer.parseInt(value.trim());
      if (maxTokens < 2 || maxTokens > MiniLmEncoder.MODEL_MAX_TOKENS) {
        throw new NumberFormatException("out of range");
      }
      return maxTokens;
    } catch (NumberFormatException e) {
      throw new TeacherException(where + ": option " + OPTION_MAX_TOKENS + " must be a whole number from 2 to "
          + MiniLmEncoder.MODEL_MAX_TOKENS + ", not '" + value + "'");
    }
  }
}
