package io.streamdistill.teacher;

import io.streamdistill.student.Softmax;
import io.streamdistill.teacher.generic.InputLayout;
import io.streamdistill.teacher.generic.OnnxTeacherLoader;
import io.streamdistill.teacher.generic.TorchScriptTeacherLoader;
import io.streamdistill.teacher.generic.VectorModelImport;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.remote.HfTeacherLoader;
import io.streamdistill.teacher.remote.LlmTeacherLoader;
import io.streamdistill.teacher.remote.OipTeacherLoader;
import io.streamdistill.teacher.remote.V1TeacherLoader;
import io.streamdistill.teacher.text.OnnxTextTeacherLoader;
import io.streamdistill.teacher.text.TextModelConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes a teacher directory of someone's own model, with no code: finds what the directory holds (an
 * exported HuggingFace text model, an ONNX graph, a TorchScript module, or, given a URL, a model behind an
 * Open Inference Protocol server), writes its {@code teacher.json} with the SHA-256 of every file the
 * model loads (the moment its owner vouches for them: every later load checks them), then loads it as
 * the teacher service would and runs one probe input through it.
 *
 * <p>What each kind reads from the model itself: a text export its classes from {@code config.json}'s
 * {@code id2label}; a vector model its input width (ONNX, when fixed) and, from a probe, its number of
 * logits and embedding width; a remote model its classes and input from the server's metadata.
 * What the files cannot say (a vector model's class names, TorchScript's input width) is asked for by name.
 */
public final class TeacherImport {
  /** The kinds found by looking: a file with one of these endings is a TorchScript module. */
  static final List<String> TORCHSCRIPT_ENDINGS = List.of(".pt", ".pth", ".torchscript");
  static final String ONNX_ENDING = ".onnx";
  /** Where a HuggingFace repository of an ONNX export keeps its graphs. */
  static final String ONNX_FOLDER = "onnx";
  static final String PROBE_TEXT = "This is a probe sentence to check the model answers.";

  private TeacherImport() {}

  /**
   * What to import.
   *
   * @param dir the directory holding the model (created for a remote one)
   * @param kind onnx-text, onnx, torchscript, oip, v1, hf, llm, or null to tell from the directory (and {@code url}:
   *     oip)
   * @param file the model file in {@code dir}, or null to find it
   * @param id the teacher's id, or null for the directory's name (a remote model's: its name on the server)
   * @param version its version, or null: {@code sha256:} and 12 hex digits of the model file (a remote:
   *     the server's)
   * @param classes class names in logit order; null or empty to read them from the model
   * @param input text, vector or structured; null to tell from the model
   * @param vectorWidth a vector model's input width, 0 to read it from the model
   * @param url a remote model's server (oip, v1, hf), or null
   * @param model a remote model's name on the server, or null
   * @param options more teacher.json options (e.g. maxLength, timeoutMs)
   * @param testAccuracy the model's known accuracy (0-1), NaN when not known
   * @param force replace an existing teacher.json
   */
  /** The kinds a model is imported as, for messages. */
  static final String KINDS = "onnx-text, onnx, torchscript, oip, v1, hf or llm";

  public record Request(Path dir, String kind, String file, String id, String version, List<String> classes,
      String input, int vectorWidth, String url, String model, Map<String, String> options, double testAccuracy,
      boolean force) {
    public Request {
      if (!Double.isNaN(testAccuracy) && !(testAccuracy > 0 && testAccuracy <= 1)) {
        throw new IllegalArgumentException("--test-accuracy must be in (0, 1] (or a percentage like 93%), got "
            + testAccuracy);
      }
      classes = classes == null ? List.of() : List.copyOf(classes);
      options = options == null ? Map.of() : Map.copyOf(options);
    }
  }

  /** What was found in the directory: the kind and the model file (null for a remote model). */
  record Found(String kind, String file, String what) {}

  /**
   * Imports the model, prints what it found and did, and returns the descriptor written.
   *
   * @throws IllegalArgumentException for what the request must give or change, naming the flag
   * @throws io.streamdistill.teacher.model.TeacherException when the model does not load or answer
   */
  public static TeacherDescriptor run(Request request, PrintWriter out) {
    Path dir = request.dir();
    String file = request.file();
    if (Files.isRegularFile(dir)) {
      if (file != null) {
        throw new IllegalArgumentException(dir + " is a file: name its directory, or drop --file");
      }
      file = dir.getFileName().toString();
      dir = dir.toAbsolutePath().getParent();
    }
    boolean remoteKind = request.kind() != null && TeacherDirectory.REMOTE_KINDS.contains(request.kind());
    if (request.url() == null && !remoteKind && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no directory " + dir + " (or give --url for a model behind an inference"
          + " server)");
    }
    Path descriptorFile = dir.resolve(TeacherDescriptor.FILE_NAME);
    if (Files.exists(descriptorFile) && !request.force()) {
      throw new IllegalArgumentException(dir + " already has a " + TeacherDescriptor.FILE_NAME + ": it is a"
          + " teacher directory (--teacher " + dir + "); --force writes it again from the files as they are now");
    }
    Found found = find(dir, request.kind(), file, request.url());
    out.println("found: " + found.what());
    String id = request.id() != null ? request.id() : idOf(dir);
    Map<String, String> options = new LinkedHashMap<>(request.options());
    TeacherDescriptor written = switch (found.kind()) {
      case OnnxTextTeacherLoader.KIND -> text(dir, found.file(), id, request, options);
      case OnnxTeacherLoader.KIND, TorchScriptTeacherLoader.KIND -> {
        if (request.input() != null && !TeacherDescriptor.VECTOR.equals(request.input())) {
          throw new IllegalArgumentException("--input " + request.input() + ": a " + found.kind() + " teacher takes"
              + " vectors (for text, an export with its tokenizer.json; for records, a remote model or train-teacher)");
        }
        yield VectorModelImport.describe(dir, found.kind(), found.file(), id, versionOf(request, dir, found.file()),
            request.classes(), request.vectorWidth(), options);
      }
      case OipTeacherLoader.KIND, V1TeacherLoader.KIND, HfTeacherLoader.KIND, LlmTeacherLoader.KIND ->
          remote(dir, found.kind(), request, options);
      default -> throw new IllegalArgumentException("--kind must be " + KINDS + ", not " + found.kind());
    };
    if (!Double.isNaN(request.testAccuracy())) {
      written = withAccuracy(dir, written, request.testAccuracy());
    }
    out.printf(Locale.ROOT, "wrote %s: kind %s, id %s, version %s, %s, %d classes %s%s%n", descriptorFile,
        written.kind(), written.id(), written.version(), inputOf(written), written.classes().size(),
        written.classes(), written.embeddingWidth() > 0 ? ", embedding " + written.embeddingWidth() : "");
    written.files().forEach((name, hash) -> out.println("  " + name + "  sha256 " + hash));
    out.println("loading it as the teacher service does" + (written.files().isEmpty() ? " ..."
        : " (every file's hash checked) ..."));
    out.flush();
    String answer;
    try {
      answer = probe(dir, written);
    } catch (RuntimeException e) {
      // A teacher.json that does not load must not stay behind as if it did.
      try {
        Files.deleteIfExists(descriptorFile);
      } catch (IOException ignored) {
        // The error below says what went wrong; a leftover file is refused by the next import without --force.
      }
      throw e;
    }
    out.println("probe: " + answer);
    out.println("done: use it with --teacher " + dir + " (`./distill teacher`, `./distill demo --source FILE ...`);"
        + " your data's labels must name its " + written.classes().size() + " classes");
    out.flush();
    return written;
  }

  /** What {@code dir} holds, as the kind that loads it; {@code kind} and {@code file} when given win. */
  static Found find(Path dir, String kind, String file, String url) {
    boolean v1 = V1TeacherLoader.KIND.equals(kind);
    boolean hf = HfTeacherLoader.KIND.equals(kind);
    boolean llm = LlmTeacherLoader.KIND.equals(kind);
    if (url != null || OipTeacherLoader.KIND.equals(kind) || v1 || hf || llm) {
      if (url == null) {
        throw new IllegalArgumentException("--kind " + kind + " needs --url (the inference server)"
            + (hf || llm ? "" : " and --model"));
      }
      if (kind != null && !OipTeacherLoader.KIND.equals(kind) && !v1 && !hf && !llm) {
        throw new IllegalArgumentException("--url is for a model behind an inference server (kind oip, v1, hf or"
            + " llm), not " + kind);
      }
      return v1 ? new Found(V1TeacherLoader.KIND, null, "a model behind a v1 predict server (TensorFlow Serving,"
          + " KServe v1, MLflow) at " + url)
          : hf ? new Found(HfTeacherLoader.KIND, null, "a text classifier behind a HuggingFace server (Text"
              + " Embeddings Inference, an Inference Endpoint, a transformers pipeline) at " + url)
          : llm ? new Found(LlmTeacherLoader.KIND, null, "a large language model behind an OpenAI-compatible server"
              + " (vLLM, llama.cpp, Ollama, a gateway), asked to classify, at " + url)
          : new Found(OipTeacherLoader.KIND, null, "a model behind an inference server at " + url);
    }
    List<String> names = fileNames(dir);
    List<String> onnx = names.stream().filter(n -> n.toLowerCase(Locale.ROOT).endsWith(ONNX_ENDING)).toList();
    if (onnx.isEmpty() && Files.isDirectory(dir.resolve(ONNX_FOLDER))) {
      // A HuggingFace repository of an ONNX export (Xenova's and Optimum's layout): config.json and tokenizer.json
      // at the top, onnx/model.onnx beside its quantized and half-precision variants.
      onnx = fileNames(dir.resolve(ONNX_FOLDER)).stream().filter(n -> n.toLowerCase(Locale.ROOT)
          .endsWith(ONNX_ENDING)).map(n -> ONNX_FOLDER + "/" + n).toList();
    }
    List<String> torchscript = names.stream()
        .filter(n -> TORCHSCRIPT_ENDINGS.stream().anyMatch(e -> n.toLowerCase(Locale.ROOT).endsWith(e))).toList();
    boolean tokenizer = names.contains(OnnxTextTeacherLoader.TOKENIZER_FILE);
    String chosenKind = kind;
    if (chosenKind == null) {
      if (file != null) {
        chosenKind = file.toLowerCase(Locale.ROOT).endsWith(ONNX_ENDING)
            ? (tokenizer ? OnnxTextTeacherLoader.KIND : OnnxTeacherLoader.KIND) : TorchScriptTeacherLoader.KIND;
      } else if (!onnx.isEmpty()) {
        chosenKind = tokenizer ? OnnxTextTeacherLoader.KIND : OnnxTeacherLoader.KIND;
      } else if (!torchscript.isEmpty()) {
        chosenKind = TorchScriptTeacherLoader.KIND;
      } else {
        throw new IllegalArgumentException(dir + " holds no model to import: an ONNX file (*.onnx; with the"
            + " tokenizer.json of a text model), a TorchScript file (" + String.join(", ", TORCHSCRIPT_ENDINGS)
            + "), or give --url and --model for a model behind an inference server. Found: "
            + (names.isEmpty() ? "nothing" : String.join(", ", names.subList(0, Math.min(names.size(), 12)))));
      }
    }
    List<String> candidates = TorchScriptTeacherLoader.KIND.equals(chosenKind) ? torchscript : onnx;
    String chosen = file;
    if (chosen == null) {
      String inFolder = ONNX_FOLDER + "/" + OnnxTextTeacherLoader.MODEL_FILE;
      if (candidates.contains(OnnxTextTeacherLoader.MODEL_FILE) && !TorchScriptTeacherLoader.KIND.equals(chosenKind)) {
        chosen = OnnxTextTeacherLoader.MODEL_FILE;
      } else if (candidates.contains(inFolder) && !TorchScriptTeacherLoader.KIND.equals(chosenKind)) {
        chosen = inFolder; // the full-precision export, not model_quantized.onnx or model_fp16.onnx beside it
      } else if (candidates.size() == 1) {
        chosen = candidates.get(0);
      } else {
        throw new IllegalArgumentException(dir + (candidates.isEmpty() ? " holds no " + chosenKind + " model file"
            : " holds " + candidates.size() + " model files " + candidates + ": say which with --file"));
      }
    } else if (!Files.isRegularFile(dir.resolve(chosen))) {
      throw new IllegalArgumentException("--file " + chosen + ": no such file in " + dir);
    }
    String what = switch (chosenKind) {
      case OnnxTextTeacherLoader.KIND -> "an exported text model (" + chosen + " with tokenizer.json"
          + (names.contains(TextModelConfig.FILE_NAME) ? " and config.json" : "") + "), kind onnx-text";
      case OnnxTeacherLoader.KIND -> "an ONNX model (" + chosen + ") taking vectors or images, kind onnx";
      case TorchScriptTeacherLoader.KIND -> "a TorchScript module (" + chosen + ") taking vectors or images, kind"
          + " torchscript";
      default -> throw new IllegalArgumentException("--kind must be " + KINDS + ", not " + chosenKind);
    };
    return new Found(chosenKind, chosen, what);
  }

  private static TeacherDescriptor text(Path dir, String file, String id, Request request,
      Map<String, String> options) {
    if (request.input() != null && !TeacherDescriptor.TEXT.equals(request.input())) {
      throw new IllegalArgumentException("--input " + request.input() + ": an exported text model takes text");
    }
    if (request.vectorWidth() > 0) {
      throw new IllegalArgumentException("--vector-width is for vector models; an exported text model takes text");
    }
    Path config = dir.resolve(TextModelConfig.FILE_NAME);
    if (request.classes().isEmpty() && (!Files.isRegularFile(config) || TextModelConfig.labels(config).isEmpty())) {
      throw new IllegalArgumentException(dir + (Files.isRegularFile(config) ? "'s config.json has no id2label"
          : " has no config.json") + " to name the classes: give them in logit order with --classes");
    }
    options.put(OnnxTextTeacherLoader.OPTION_MODEL, file);
    return OnnxTextTeacherLoader.describe(dir, id, versionOf(request, dir, file), request.classes(), options);
  }

  private static TeacherDescriptor remote(Path dir, String kind, Request request, Map<String, String> options) {
    boolean hf = HfTeacherLoader.KIND.equals(kind);
    boolean llm = LlmTeacherLoader.KIND.equals(kind);
    if (request.model() == null && !hf && !llm) {
      throw new IllegalArgumentException("--url needs --model: the model's name on the inference server");
    }
    options.put("url", request.url());
    if (request.model() != null) {
      options.put("model", request.model());
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the directory " + dir, e);
    }
    if (hf) {
      return HfTeacherLoader.describe(dir, request.id(), request.version(), request.classes(), request.input(),
          options, PROBE_TEXT);
    }
    if (llm) {
      return LlmTeacherLoader.describe(dir, request.id(), request.version(), request.classes(), request.input(),
          options);
    }
    String id = request.id() != null ? request.id() : request.model();
    return V1TeacherLoader.KIND.equals(kind)
        ? V1TeacherLoader.describe(dir, id, request.version(), request.classes(), request.input(),
            request.vectorWidth(), options)
        : OipTeacherLoader.describe(dir, id, request.classes(), request.input(), request.vectorWidth(), options);
  }

  private static TeacherDescriptor withAccuracy(Path dir, TeacherDescriptor d, double accuracy) {
    Map<String, Double> metrics = new LinkedHashMap<>(d.metrics());
    metrics.put("test.accuracy", accuracy);
    TeacherDescriptor with = new TeacherDescriptor(d.id(), d.version(), d.kind(), d.classes(), d.input(),
        d.vectorWidth(), d.embeddingWidth(), d.files(), metrics, d.options());
    return TeacherDirectory.write(dir, with, d.files().keySet());
  }

  /** Loads the written directory as the service would and answers one probe input. */
  private static String probe(Path dir, TeacherDescriptor written) {
    try (Teacher teacher = TeacherCatalog.load(dir.toString())) {
      TeacherInput input;
      String what;
      if (written.takesText()) {
        input = TeacherInput.ofText(PROBE_TEXT);
        what = "the text \"" + PROBE_TEXT + "\"";
      } else if (written.takesFields()) {
        return "loaded (records: no probe record sent, the server's fields are not known here)";
      } else {
        input = TeacherInput.ofVector(new float[written.vectorWidth()]);
        what = imageShape(written) != null ? "a black image" : "a row of " + written.vectorWidth() + " zeros";
      }
      try (TeacherPredictor predictor = teacher.newPredictor()) {
        Prediction answer = predictor.predict(List.of(input)).get(0);
        return what + " -> " + top(written.classes(), answer.logits());
      }
    }
  }

  /** "text input", "image input of 3x224x224 (channels x rows x cols), scaled ...", "vector input of 64". */
  private static String inputOf(TeacherDescriptor teacher) {
    String image = imageShape(teacher);
    if (image != null && LlmTeacherLoader.KIND.equals(teacher.kind())) {
      return "image input of " + image + " (channels x rows x cols; each image sent as a PNG)";
    }
    if (image != null) {
      Map<String, String> options = teacher.options();
      return "image input of " + image + " (channels x rows x cols"
          + ("true".equals(options.get(InputLayout.CHANNELS_LAST)) ? ", taken channels last" : "")
          + "; each pixel p as (p * "
          + options.getOrDefault(InputLayout.SCALE, "1") + " - " + options.getOrDefault(InputLayout.MEAN, "0")
          + ") / " + options.getOrDefault(InputLayout.STD, "1") + ")";
    }
    return teacher.input() + " input" + (teacher.vectorWidth() > 0 ? " of " + teacher.vectorWidth() : "");
  }

  /** An image model's input as CxRxC, or null. */
  private static String imageShape(TeacherDescriptor teacher) {
    long[] image = InputLayout.imageShape(teacher);
    return image.length == 3 ? image[0] + "x" + image[1] + "x" + image[2] : null;
  }

  /** The classes by probability, most likely first, at most three. */
  static String top(List<String> classes, float[] logits) {
    float[] p = Softmax.probabilities(logits, 1f);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      order.add(i);
    }
    order.sort((a, b) -> Float.compare(p[b], p[a]));
    StringBuilder text = new StringBuilder();
    for (int k = 0; k < Math.min(3, order.size()); k++) {
      int i = order.get(k);
      text.append(k == 0 ? "" : ", ").append(classes.get(i)).append(String.format(Locale.ROOT, " %.3f", p[i]));
    }
    return text.toString();
  }

  private static String versionOf(Request request, Path dir, String file) {
    return request.version() != null ? request.version()
        : "sha256:" + TeacherDirectory.sha256(dir.resolve(file)).substring(0, 12);
  }

  private static String idOf(Path dir) {
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return name == null ? "teacher" : name.toString();
  }

  private static List<String> fileNames(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
