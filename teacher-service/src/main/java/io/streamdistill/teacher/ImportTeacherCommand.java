package io.streamdistill.teacher;

import io.streamdistill.config.Commands;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code import-teacher}: a teacher directory from someone's own model ({@link TeacherImport}). Exit code 0 when
 * teacher.json is written and the model answered a probe, 1 when the model does not load or answer, 2 for bad
 * arguments.
 *
 * <pre>
 * import-teacher models/sst2-onnx                     # an Optimum export: model.onnx, tokenizer.json, config.json
 * import-teacher models/fraud --classes ok,fraud      # model.onnx taking vectors
 * import-teacher teachers/big --url http://triton:8000 --model abuse-classifier
 * </pre>
 */
@Command(name = "import-teacher", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Makes a teacher directory of your own model, with no code: writes its teacher.json with the SHA-256 of every"
          + " file the model loads (from then on every load checks them: a changed or damaged file is refused), then"
          + " loads it as `./distill teacher` and `./distill demo --teacher DIR` do and runs one probe input through"
          + " it.",
      "What DIR holds decides the kind: model.onnx (or one *.onnx) with tokenizer.json is an exported HuggingFace"
          + " text model (Optimum, transformers.onnx; classes from config.json's id2label; an encoder without a"
          + " classifier head is refused: `train-teacher --encoder DIR` trains one); another *.onnx takes vectors or"
          + " images (its input shape read from the graph, (N, width) or (N, channels, rows, cols); an image export's"
          + " open size and pixel scaling from its preprocessor_config.json, its classes from config.json; its logits"
          + " counted by a probe); *.pt, *.pth or *.torchscript is a TorchScript module taking vectors (give"
          + " --vector-width, or --option inputShape=C,ROWS,COLS for images); --url with --model is a model behind a"
          + " KServe v2 / Triton / MLServer server (classes and input from its metadata; DIR is made to hold"
          + " teacher.json); with --kind v1, behind TensorFlow Serving, KServe v1 or MLflow (their protocol describes"
          + " no model: give --classes and --input, and --vector-width for vectors; probabilities are taken as"
          + " they come); with --kind hf, a text classifier behind HuggingFace's Text Embeddings Inference, an"
          + " Inference Endpoint or a transformers pipeline in a server of your own (classes from TEI's /info, else"
          + " from a probe text's answer; an image classifier behind an Inference Endpoint with --option"
          + " inputShape=3,224,224; --option tokenEnv=HF_TOKEN sends the token that variable holds); with --kind"
          + " llm, a large language model behind an OpenAI-compatible server (vLLM, llama.cpp, Ollama, a gateway),"
          + " asked to answer with one of --classes, its answer's log-probabilities the soft label (--option"
          + " instructions=... says what the classes mean; --model: else the one the server lists).",
      ""
    },
    footer = {"", "Exit codes: 0 written and answering, 1 the model does not load or answer, 2 bad arguments."})
public final class ImportTeacherCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The directory holding the model (or the model file).")
  private Path dir;

  @Option(names = "--kind", paramLabel = "auto|onnx-text|onnx|torchscript|oip|v1|hf|llm", defaultValue = "auto",
      description = "What the model is; v1: a model behind TensorFlow Serving, KServe v1 or MLflow (with --url,"
          + " --model, --classes, --input); hf: a text classifier behind Text Embeddings Inference, an Inference"
          + " Endpoint or a transformers pipeline (with --url); llm: a large language model behind an"
          + " OpenAI-compatible server, asked to classify (with --url, --classes). Default: ${DEFAULT-VALUE} (told"
          + " from DIR's files; with --url: oip).")
  private String kind;

  @Option(names = "--file", paramLabel = "NAME", description = "The model file in DIR, when it holds several.")
  private String file;

  @Option(names = "--classes", paramLabel = "A,B,...", split = ",", hideParamSyntax = true,
      description = "The class names in the order of the model's logits, as your data's labels name them. Needed when"
          + " the model does not name them (vector models; an export without id2label; a server without classes);"
          + " for one that does, they rename its classes output by output (id2label's LABEL_0,LABEL_1 as"
          + " negative,positive).")
  private List<String> classes;

  @Option(names = "--vector-width", paramLabel = "N", defaultValue = "0",
      description = "A vector model's input width, when the model does not fix it (TorchScript never does).")
  private int vectorWidth;

  @Option(names = "--input", paramLabel = "text|vector|structured",
      description = "What the model takes. Default: told from the model (a remote BYTES input is text; give"
          + " structured for a server that takes each record as a JSON object).")
  private String input;

  @Option(names = "--url", paramLabel = "URL",
      description = "A model behind an inference server: its base URL. An Open Inference Protocol server (KServe v2,"
          + " Triton, MLServer), or with --kind v1 a TensorFlow Serving / KServe v1 / MLflow one (--option"
          + " predictPath=/invocations for MLflow), or with --kind hf a HuggingFace one (TEI: its base URL; an"
          + " Inference Endpoint: its URL), or with --kind llm an OpenAI-compatible one (http://vllm:8000, or"
          + " https://api.example.com/v1 as OpenAI's clients write it).")
  private String url;

  @Option(names = "--model", paramLabel = "NAME", description = "With --url: the model's name on the server (kind"
      + " hf: optional, TEI's model id by default; llm: optional when the server lists one model).")
  private String model;

  @Option(names = "--id", paramLabel = "ID",
      description = "The teacher's id, which soft labels carry. Default: DIR's name (a remote model: its name).")
  private String id;

  @Option(names = "--teacher-version", paramLabel = "V",
      description = "The teacher's version, which soft labels carry. Default: sha256: and 12 hex digits of the model"
          + " file (a remote model: the version the server lists; an LLM: prompt: and a hash of the model and the"
          + " prompt).")
  private String version;

  @Option(names = "--test-accuracy", paramLabel = "P",
      description = "The model's accuracy as you measured it (0.93 or 93%%): the demo's summary states it.")
  private String testAccuracy;

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "Another teacher.json option, e.g. maxLength=128 or pooling=cls (text), timeoutMs=5000 or"
          + " retryStatus=429,500,502,503,504 or tokenEnv=HF_TOKEN (remote: the variable holding a bearer token;"
          + " the token is never written; maxCallsPerSecond=0.5: a hosted API's rate limit),"
          + " engine.intraOpNumThreads=2 (ONNX), instructions='Is this mail spam?"
          + " {classes}' or inputShape=3,64,64 (llm). Repeatable.")
  private Map<String, String> options = new LinkedHashMap<>();

  @Option(names = "--force", description = "Write teacher.json again when DIR has one (hashing the files as they"
      + " are now).")
  private boolean force;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command with its exit codes: bad arguments 2, a model that does not load 1. */
  public static CommandLine commandLine() {
    return Commands.withExitCodes(new ImportTeacherCommand(), "import-teacher");
  }

  /** The request these flags make; throws IllegalArgumentException naming a bad flag. */
  TeacherImport.Request request() {
    String chosenKind = kind.toLowerCase(Locale.ROOT);
    List<String> kinds = List.of("auto", "onnx-text", "onnx", "torchscript", "oip", "v1", "hf", "llm");
    if (!kinds.contains(chosenKind)) {
      throw new IllegalArgumentException("--kind must be one of " + String.join(", ", kinds) + ", not " + kind);
    }
    if (input != null && !List.of("text", "vector", "structured").contains(input)) {
      throw new IllegalArgumentException("--input must be text, vector or structured, not " + input);
    }
    if (vectorWidth < 0) {
      throw new IllegalArgumentException("--vector-width must be positive, got " + vectorWidth);
    }
    if (model != null && url == null) {
      throw new IllegalArgumentException("--model names a model on an inference server: give its --url too");
    }
    List<String> names = classes == null ? List.of() : classes.stream().map(String::strip).toList();
    if (names.stream().anyMatch(String::isEmpty) || names.size() == 1 || names.stream().distinct().count()
        < names.size()) {
      throw new IllegalArgumentException("--classes must name at least two distinct classes, got " + names);
    }
    return new TeacherImport.Request(dir, chosenKind.equals("auto") ? null : chosenKind, file, id, version, names,
        input, vectorWidth, url, model, options, accuracy(), force);
  }

  private double accuracy() {
    if (testAccuracy == null) {
      return Double.NaN;
    }
    String text = testAccuracy.strip();
    boolean percent = text.endsWith("%");
    try {
      double value = Double.parseDouble(percent ? text.substring(0, text.length() - 1) : text);
      return percent ? value / 100 : value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--test-accuracy must be a fraction like 0.93 or a percentage like 93%, not "
          + testAccuracy, e);
    }
  }

  @Override
  public Integer call() {
    TeacherImport.run(request(), spec.commandLine().getOut());
    return 0;
  }
}
