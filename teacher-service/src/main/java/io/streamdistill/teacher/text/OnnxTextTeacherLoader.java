package io.streamdistill.teacher.text;

import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@value #KIND} teachers: a text model in the layout the common export tools write, from a
 * directory that {@link TeacherDirectory#read} has verified.
 *
 * <pre>
 * model.onnx       inputs input_ids, attention_mask [, token_type_ids]; outputs logits and/or
 *                  last_hidden_state (or a pooled [batch, width] embedding such as pooler_output)
 * tokenizer.json   the HuggingFace tokenizer
 * config.json      optional; its id2label names the classes (must equal teacher.json's classes, unless
 *                  classesRenamed: the importer named them as its data does, output by output)
 * head.bin         optional; a {@link LogisticHead} on the pooled embedding (then the model's own
 *                  logits, if any, are not used)
 * teacher.json     kind "onnx-text", the classes, embeddingWidth, the sha256 of every file above
 * </pre>
 *
 * <p>The descriptor's options (all optional, defaults shown):
 *
 * <pre>
 * "options": {"model": "model.onnx", "tokenizer": "tokenizer.json", "config": "config.json",
 *             "head": (none), "maxLength": "256", "pooling": "mean", "normalize": "true"}
 * </pre>
 *
 * <p>Each named file must be among the descriptor's hashed {@code files}: nothing unverified is
 * loaded. {@link #describe} writes teacher.json for an export directory. The older kind {@value
 * TextTeacherLoader#KIND} is the same code with other file names ({@link TextTeacherLoader}).
 * Stateless and thread-safe.
 */
public final class OnnxTextTeacherLoader implements TeacherLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "onnx-text";
  /** Option: the ONNX model's file name. */
  public static final String OPTION_MODEL = "model";
  /** Option: the tokenizer's file name. */
  public static final String OPTION_TOKENIZER = "tokenizer";
  /** Option: the HuggingFace config's file name. */
  public static final String OPTION_CONFIG = "config";
  /** Option: the head's file name; absent for a classifier that gives logits itself. */
  public static final String OPTION_HEAD = "head";
  /** Option: where texts are cut, in tokens (2 to 512). */
  public static final String OPTION_MAX_LENGTH = "maxLength";
  /** Option: {@code mean} or {@code cls}, how hidden states become the sentence embedding. */
  public static final String OPTION_POOLING = "pooling";
  /** Option: {@code true} or {@code false}, whether the pooled embedding is L2-normalised. */
  public static final String OPTION_NORMALIZE = "normalize";
  /**
   * Option: the featurizer of the head's n-gram columns after the embedding ({@link NgramBlock#describe});
   * absent for a head on the embedding alone.
   */
  public static final String OPTION_NGRAMS = "ngrams";
  /**
   * {@code "true"} when the classes are the importer's names for config.json's {@code id2label} ones, in the same
   * order ({@code LABEL_0, LABEL_1} as {@code negative, positive}): then they may differ from id2label's.
   */
  public static final String OPTION_RENAMED = "classesRenamed";

  public static final String MODEL_FILE = "model.onnx";
  public static final String TOKENIZER_FILE = "tokenizer.json";

  private static final Logger LOGGER = LoggerFactory.getLogger(OnnxTextTeacherLoader.class);
  // The probe a loaded model runs once, to learn its output widths and prove it runs.
  private static final String PROBE = "a short probe text";

  private final int threads;

  /** A loader whose models use ONNX Runtime's default thread count (one per core). */
  public OnnxTextTeacherLoader() {
    this(0);
  }

  /** A loader whose models each use {@code threads} intra-op threads (0 for ONNX Runtime's default). */
  public OnnxTextTeacherLoader(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, not " + threads);
    }
    this.threads = threads;
  }

  /** Reads, verifies and loads the teacher in {@code dir} (either text kind). */
  public static TextTeacher open(Path dir) {
    TeacherDescriptor descriptor = TeacherDirectory.read(dir);
    return TextTeacherLoader.KIND.equals(descriptor.kind()) ? new TextTeacherLoader().load(dir, descriptor)
        : new OnnxTextTeacherLoader().load(dir, descriptor);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public TextTeacher load(Path dir, TeacherDescriptor descriptor) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(descriptor, "descriptor");
    requireKind(dir, descriptor, KIND);
    return load(dir, descriptor, Layout.CURRENT, threads);
  }

  /** The option names and defaults of a kind: the current one and {@value TextTeacherLoader#KIND}. */
  record Layout(String modelOption, String modelDefault, String maxLengthOption, String headDefault) {
    static final Layout CURRENT = new Layout(OPTION_MODEL, MODEL_FILE, OPTION_MAX_LENGTH, null);
  }

  static void requireKind(Path dir, TeacherDescriptor descriptor, String kind) {
    String where = dir.resolve(TeacherDescriptor.FILE_NAME).toString();
    if (!kind.equals(descriptor.kind())) {
      throw new TeacherException(where + " is a " + descriptor.kind() + " teacher, not " + kind);
    }
    if (!descriptor.takesText()) {
      throw new TeacherException(where + ": a " + kind + " teacher reads text, but input is " + descriptor.input());
    }
  }

  /** Loads a verified directory with the file names and defaults of {@code layout}. */
  static TextTeacher load(Path dir, TeacherDescriptor descriptor, Layout layout, int threads) {
    String where = dir.resolve(TeacherDescriptor.FILE_NAME).toString();
    Map<String, String> options = descriptor.options();
    Path modelFile = verifiedFile(dir, descriptor, layout.modelOption(), layout.modelDefault());
    Path tokenizerFile = verifiedFile(dir, descriptor, OPTION_TOKENIZER, TOKENIZER_FILE);
    String headName = options.getOrDefault(OPTION_HEAD, layout.headDefault());
    Path headFile = headName == null ? null : verifiedFile(dir, descriptor, OPTION_HEAD, headName);
    int maxLength = maxLength(options.get(layout.maxLengthOption()), layout.maxLengthOption(), where);
    OnnxTextModel.Pooling pooling;
    try {
      pooling = OnnxTextModel.Pooling.parse(options.getOrDefault(OPTION_POOLING, "mean"));
    } catch (IllegalArgumentException e) {
      throw new TeacherException(where + ": option " + OPTION_POOLING + ": " + e.getMessage());
    }
    boolean normalize = bool(options.getOrDefault(OPTION_NORMALIZE, "true"), where);

    String configName = options.getOrDefault(OPTION_CONFIG, TextModelConfig.FILE_NAME);
    if (descriptor.files().containsKey(configName)) {
      List<String> labels = TextModelConfig.labels(dir.resolve(configName));
      boolean renamed = bool(options.getOrDefault(OPTION_RENAMED, "false"), where)
          && labels.size() == descriptor.classes().size();
      if (!labels.isEmpty() && !labels.equals(descriptor.classes()) && !renamed) {
        throw new TeacherException(dir.resolve(configName) + " names the classes " + labels + " in id2label, but "
            + where + " says " + descriptor.classes());
      }
    } else if (options.containsKey(OPTION_CONFIG)) {
      verifiedFile(dir, descriptor, OPTION_CONFIG, configName); // throws: named but not hashed
    }
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new TeacherException("no tokenizer in " + dir + ": " + tokenizerFile.getFileName() + " is missing");
    }

    LogisticHead head = headFile == null ? null : LogisticHead.read(headFile);
    if (head != null && head.classes() != descriptor.classes().size()) {
      throw new TeacherException(headFile + " is a head for " + head.classes() + " classes, but " + where
          + " names " + descriptor.classes().size() + ": " + descriptor.classes());
    }
    NgramFeaturizer.Settings ngrams = ngrams(options.get(OPTION_NGRAMS), head, where);
    OnnxTextModel model = OnnxTextModel.open(modelFile, tokenizerFile, maxLength, pooling, normalize, threads);
    try {
      Widths widths = probe(model, head, ngrams == null ? 0 : ngrams.buckets());
      if (widths.logits() != descriptor.classes().size()) {
        throw new TeacherException(where + " names " + descriptor.classes().size() + " classes, but " + modelFile
            .getFileName() + (head == null ? (widths.logits() == 0 ? " has no logits output and no head is given"
                : " gives " + widths.logits() + " logits") : " with its head gives " + widths.logits() + " logits"));
      }
      if (descriptor.embeddingWidth() != 0 && descriptor.embeddingWidth() != widths.embedding()) {
        throw new TeacherException(where + ": embeddingWidth is " + descriptor.embeddingWidth() + ", but the model's"
            + " embedding is " + (widths.embedding() == 0 ? "absent (0)" : widths.embedding() + " wide"));
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
        .addKeyValue("kind", descriptor.kind()).addKeyValue("dir", dir).addKeyValue("maxLength", maxLength)
        .addKeyValue("head", head != null).addKeyValue("ngrams", ngrams == null ? "none" : NgramBlock.describe(ngrams))
        .log("text teacher loaded");
    return new TextTeacher(descriptor, model, head, ngrams == null ? null : new NgramFeaturizer(ngrams));
  }

  /** The head's n-gram featurizer from its option, or null when there is none. */
  private static NgramFeaturizer.Settings ngrams(String option, LogisticHead head, String where) {
    if (option == null) {
      return null;
    }
    if (head == null) {
      throw new TeacherException(where + ": option " + OPTION_NGRAMS + " gives n-gram columns to a head, but there"
          + " is no head (option " + OPTION_HEAD + ")");
    }
    try {
      return NgramBlock.parse(option);
    } catch (IllegalArgumentException e) {
      throw new TeacherException(where + ": option " + OPTION_NGRAMS + ": " + e.getMessage());
    }
  }

  /** Widths of what a model (with its head, if any) gives: logits (0 for none) and embedding (0 for none). */
  record Widths(int logits, int embedding) {}

  static Widths probe(OnnxTextModel model, LogisticHead head) {
    return probe(model, head, 0);
  }

  /** As {@link #probe(OnnxTextModel, LogisticHead)}, for a head whose last {@code ngramWidth} columns are n-grams. */
  static Widths probe(OnnxTextModel model, LogisticHead head, int ngramWidth) {
    try (OnnxTextModel.Session session = model.newSession()) {
      OnnxTextModel.Output output = session.run(List.of(PROBE));
      int embedding = output.embeddings() == null ? 0 : output.embeddings()[0].length;
      int logits;
      if (head != null) {
        if (embedding + ngramWidth != head.width()) {
          throw new TeacherException("the head takes embeddings of width " + (head.width() - ngramWidth)
              + (ngramWidth > 0 ? " (then " + ngramWidth + " n-gram columns)" : "") + ", but the model's"
              + " embedding is " + (embedding == 0 ? "absent" : embedding + " wide"));
        }
        logits = head.classes();
      } else {
        logits = output.logits() == null ? 0 : output.logits()[0].length;
      }
      return new Widths(logits, embedding);
    }
  }

  /**
   * Writes {@code teacher.json} for an export directory ({@value #MODEL_FILE}, {@value
   * #TOKENIZER_FILE}, optionally config.json and a head file named in {@code options}), hashing every
   * file, and returns the verified descriptor. The class names come from config.json's {@code
   * id2label}, else from {@code classes}; the embedding width from running the model once.
   *
   * @param classes the class names when config.json has no id2label; else null or empty for id2label's, or as many
   *     names as it has, output by output, which rename them (its {@code LABEL_0, LABEL_1} as the data's labels)
   * @param options the loader options (see above); file names default as above
   * @throws TeacherException when a file is missing, no class names are known, or the model does
   *     not give as many logits as there are classes
   */
  public static TeacherDescriptor describe(Path dir, String id, String version, List<String> classes,
      Map<String, String> options) {
    Map<String, String> opts = new LinkedHashMap<>(options == null ? Map.of() : options);
    List<String> files = new ArrayList<>();
    String model = opts.getOrDefault(OPTION_MODEL, MODEL_FILE);
    String tokenizer = opts.getOrDefault(OPTION_TOKENIZER, TOKENIZER_FILE);
    if (!Files.isRegularFile(dir.resolve(model))) {
      throw new TeacherException("no " + model + " in " + dir + ": an onnx-text teacher needs the ONNX model");
    }
    if (!Files.isRegularFile(dir.resolve(tokenizer))) {
      throw new TeacherException("no " + tokenizer + " in " + dir + ": an onnx-text teacher needs the HuggingFace"
          + " tokenizer.json the model was exported with");
    }
    files.add(model);
    files.add(tokenizer);
    String config = opts.getOrDefault(OPTION_CONFIG, TextModelConfig.FILE_NAME);
    List<String> labels = List.of();
    if (Files.isRegularFile(dir.resolve(config))) {
      files.add(config);
      labels = TextModelConfig.labels(dir.resolve(config));
    }
    if (labels.isEmpty()) {
      if (classes == null || classes.isEmpty()) {
        throw new TeacherException(dir.resolve(config) + (files.contains(config) ? " has no id2label" : " is missing")
            + " and no class names were given: cannot tell what the logits mean");
      }
      labels = List.copyOf(classes);
    } else if (classes != null && !classes.isEmpty() && !classes.equals(labels)) {
      if (classes.size() != labels.size()) {
        throw new TeacherException(dir.resolve(config) + " names " + labels.size() + " classes in id2label, " + labels
            + ", and " + classes.size() + " names were given, " + classes + ": give one name for each of the model's"
            + " outputs, in their order");
      }
      // The model's own names (often LABEL_0, LABEL_1) as the data's labels name them, output by output.
      opts.put(OPTION_RENAMED, "true");
      labels = List.copyOf(classes);
    }
    String headName = opts.get(OPTION_HEAD);
    LogisticHead head = null;
    if (headName != null) {
      if (!Files.isRegularFile(dir.resolve(headName))) {
        throw new TeacherException("no " + headName + " in " + dir + " (option " + OPTION_HEAD + ")");
      }
      files.add(headName);
      head = LogisticHead.read(dir.resolve(headName));
    }
    String where = dir.resolve(TeacherDescriptor.FILE_NAME).toString();
    int maxLength = maxLength(opts.get(OPTION_MAX_LENGTH), OPTION_MAX_LENGTH, where);
    OnnxTextModel.Pooling pooling = OnnxTextModel.Pooling.parse(opts.getOrDefault(OPTION_POOLING, "mean"));
    boolean normalize = bool(opts.getOrDefault(OPTION_NORMALIZE, "true"), where);
    NgramFeaturizer.Settings ngrams = ngrams(opts.get(OPTION_NGRAMS), head, where);
    Widths widths;
    try (OnnxTextModel loaded = OnnxTextModel.open(dir.resolve(model), dir.resolve(tokenizer), maxLength, pooling,
        normalize, 0)) {
      widths = probe(loaded, head, ngrams == null ? 0 : ngrams.buckets());
    }
    if (widths.logits() != labels.size()) {
      throw new TeacherException(dir.resolve(model) + (widths.logits() == 0 ? " has no logits output and no head:"
          + " an encoder, not a classifier; `./distill train-teacher --source FILE --text-column C --label-column L"
          + " --encoder " + dir + "` trains a head on it from your labelled file"
          : " gives " + widths.logits() + " logits, but the classes are " + labels));
    }
    TeacherDescriptor descriptor = new TeacherDescriptor(id, version, KIND, labels, TeacherDescriptor.TEXT, 0,
        widths.embedding(), Map.of(), Map.of(), opts);
    TeacherDirectory.write(dir, descriptor, files);
    return TeacherDirectory.read(dir);
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

  static int maxLength(String value, String option, String where) {
    if (value == null) {
      return OnnxTextModel.DEFAULT_MAX_LENGTH;
    }
    try {
      int maxLength = Integer.parseInt(value.trim());
      if (maxLength < 2 || maxLength > OnnxTextModel.MODEL_MAX_LENGTH) {
        throw new NumberFormatException("out of range");
      }
      return maxLength;
    } catch (NumberFormatException e) {
      throw new TeacherException(where + ": option " + option + " must be a whole number from 2 to "
          + OnnxTextModel.MODEL_MAX_LENGTH + ", not '" + value + "'");
    }
  }

  private static boolean bool(String value, String where) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new TeacherException(where + ": option " + OPTION_NORMALIZE + " must be true or false, not '"
          + value + "'");
    };
  }
}
