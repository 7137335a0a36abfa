package io.streamdistill.teacher.generic;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.text.TextModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the {@code teacher.json} of a directory holding someone's own vector model, an ONNX graph
 * (kind {@code onnx}) or a TorchScript module (kind {@code torchscript}), from what the model itself
 * says: the shape of its input (from the graph when it fixes it: a row {@code (N, width)}, or an image
 * {@code (N, channels, rows, cols)} as exported image classifiers take it), and, by running one all-zero
 * input through it, how many logits it gives (output 0) and the width of its embedding (a 2-D output 1, if
 * any). A HuggingFace image export's {@code preprocessor_config.json} gives the image size when the graph
 * leaves it open and the pixel scaling its training used ({@link InputLayout}); its {@code config.json}'s
 * {@code id2label} gives the classes. Otherwise the classes are given, in logit order: a model file does not
 * name them.
 */
public final class VectorModelImport {
  /** A HuggingFace image processor's settings, beside an exported image model. */
  static final String PREPROCESSOR_CONFIG = "preprocessor_config.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private VectorModelImport() {}

  /** What the model said about itself. */
  public record Widths(int input, int logits, int embedding) {}

  /**
   * Probes {@code dir/file} and writes {@code dir/teacher.json} with the file's SHA-256.
   *
   * @param kind {@code onnx} or {@code torchscript}
   * @param classes the class names in logit order (their number must be the model's number of logits), or
   *     empty to read them from a {@code config.json}'s {@code id2label} beside the model
   * @param vectorWidth the input width, or 0 to read it from the graph (ONNX only)
   * @param options teacher.json options (the model file is recorded as {@code file}; {@link InputLayout}'s
   *     options, when given, say how the input is shaped and scaled)
   * @throws IllegalArgumentException for what the caller must give (classes, the width), naming it
   * @throws TeacherException when the model does not load or does not take the input it declares
   */
  public static TeacherDescriptor describe(Path dir, String kind, String file, String id, String version,
      List<String> classes, int vectorWidth, Map<String, String> options) {
    Map<String, String> withLayout = new LinkedHashMap<>(options);
    long[] example = exampleShape(dir, dir.resolve(file), kind, vectorWidth, withLayout);
    if (example.length == 3) {
      withLayout.putIfAbsent(InputLayout.SHAPE, InputLayout.join(example));
    }
    boolean channelsLast = "true".equals(withLayout.get(InputLayout.CHANNELS_LAST));
    Widths widths = probe(dir.resolve(file), kind, channelsLast ? new long[] {example[1], example[2], example[0]}
        : example);
    List<String> names = classes;
    Path config = dir.resolve(TextModelConfig.FILE_NAME);
    if ((names == null || names.isEmpty()) && Files.isRegularFile(config)) {
      names = TextModelConfig.labels(config);
    }
    if (names == null || names.isEmpty()) {
      throw new IllegalArgumentException(file + " gives " + widths.logits() + " logits: name its classes in logit"
          + " order with --classes (e.g. --classes " + exampleClasses(widths.logits()) + "), as your labels name"
          + " them");
    }
    if (names.size() != widths.logits()) {
      throw new IllegalArgumentException(file + " gives " + widths.logits() + " logits, but "
          + (names == classes ? "--classes names " : config + "'s id2label names ") + names.size() + ": " + names);
    }
    withLayout.put(VectorModelFileLoader.FILE_OPTION, file);
    TeacherDescriptor descriptor = new TeacherDescriptor(id, version, kind, names, TeacherDescriptor.VECTOR,
        widths.input(), widths.embedding(), Map.of(), Map.of(), withLayout);
    InputLayout.of(descriptor); // the options given must fit the width found
    return TeacherDirectory.write(dir, descriptor, List.of(file));
  }

  /**
   * One example's shape: {@code inputShape} when given, else {@code vectorWidth}, else the graph's input (a row
   * or an image; an image's open size from a HuggingFace {@code preprocessor_config.json}, which also adds its
   * pixel scaling to {@code options} unless they say otherwise).
   */
  static long[] exampleShape(Path dir, Path file, String kind, int vectorWidth, Map<String, String> options) {
    JsonNode processor = processorConfig(dir);
    long[] shape = givenOrDeclaredShape(file, kind, vectorWidth, options, processor);
    if (shape.length == 3 && processor != null) {
      scaling(processor, options);
    }
    return shape;
  }

  private static long[] givenOrDeclaredShape(Path file, String kind, int vectorWidth, Map<String, String> options,
      JsonNode processor) {
    if (options.containsKey(InputLayout.SHAPE)) {
      return InputLayout.dims(options.get(InputLayout.SHAPE));
    }
    if (vectorWidth > 0) {
      return new long[] {vectorWidth};
    }
    long[] declared = declaredShape(file, kind);
    if (declared.length == 2 && declared[1] > 0) {
      return new long[] {declared[1]};
    }
    if (declared.length == 4) {
      // Channels last, (N, rows, cols, channels), as TensorFlow's image models (and tf2onnx's exports) take them.
      boolean last = (declared[3] == 1 || declared[3] == 3) && declared[1] != 1 && declared[1] != 3;
      if (last) {
        options.put(InputLayout.CHANNELS_LAST, "true");
      }
      long channels = last ? declared[3] : declared[1] > 0 ? declared[1] : 3;
      long rows = last ? declared[1] : declared[2];
      long cols = last ? declared[2] : declared[3];
      if ((rows <= 0 || cols <= 0) && processor != null) {
        JsonNode size = processor.path("size");
        rows = size.isInt() ? size.asInt() : size.path("height").asInt(size.path("shortest_edge").asInt(0));
        cols = size.isInt() ? size.asInt() : size.path("width").asInt(size.path("shortest_edge").asInt(0));
      }
      if (rows > 0 && cols > 0) {
        return new long[] {channels, rows, cols};
      }
    }
    throw new IllegalArgumentException(file + "'s input has the shape " + Arrays.toString(declared) + " (-1: left"
        + " open), not (N, width) or (N, channels, rows, cols) with a fixed size: give --vector-width, or"
        + " --option inputShape=CHANNELS,ROWS,COLS for an image model");
  }

  /**
   * The pixel scaling of a HuggingFace image processor, into options not already set. The processor takes pixels
   * of 0-255 and multiplies them by {@code rescale_factor} (1/255) when {@code do_rescale}; the teacher gets them
   * as byte / 255, so its scale is {@code rescale_factor * 255} (1), or 255 when the processor does not rescale.
   */
  private static void scaling(JsonNode processor, Map<String, String> options) {
    if (processor.path("do_rescale").asBoolean(true) && processor.has("rescale_factor")) {
      // The processor rescales 0-255 pixels; ours arrive as byte / 255 already (image folders, IDX files).
      float factor = (float) (processor.get("rescale_factor").asDouble() * 255);
      options.putIfAbsent(InputLayout.SCALE, Float.toString(factor));
    } else {
      options.putIfAbsent(InputLayout.SCALE, "255.0");
    }
    if (processor.path("do_normalize").asBoolean(true) && processor.has("image_mean")
        && processor.has("image_std")) {
      options.putIfAbsent(InputLayout.MEAN, numbers(processor.get("image_mean")));
      options.putIfAbsent(InputLayout.STD, numbers(processor.get("image_std")));
    }
  }

  private static String numbers(JsonNode node) {
    if (!node.isArray()) {
      return node.asText();
    }
    List<String> values = new ArrayList<>();
    node.forEach(v -> values.add(v.asText()));
    return String.join(",", values);
  }

  private static JsonNode processorConfig(Path dir) {
    Path file = dir.resolve(PREPROCESSOR_CONFIG);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Loads the model and runs one all-zero example of {@code example}'s shape through it. */
  public static Widths probe(Path file, String kind, long[] example) {
    String engine = engine(kind);
    if (!Files.isRegularFile(file)) {
      throw new TeacherException("no model file " + file);
    }
    int width = Math.toIntExact(InputLayout.size(example));
    long[] batch = new long[example.length + 1];
    batch[0] = 1;
    System.arraycopy(example, 0, batch, 1, example.length);
    OnnxRuntimeNatives.prepareFor(engine);
    try (Model model = Model.newInstance("import", Device.cpu(), engine)) {
      try {
        model.load(file, null, Map.of());
      } catch (IOException | MalformedModelException | RuntimeException e) {
        throw new TeacherException("cannot load " + file + " as " + (engine.equals("PyTorch") ? "a TorchScript module"
            : "an ONNX model") + ": " + EngineMessages.of(e), e);
      }
      try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
          NDManager manager = NDManager.newBaseManager(Device.cpu(), engine)) {
        NDList out = predictor.predict(new NDList(manager.create(new float[width], new Shape(batch))));
        Shape logits = out.get(0).getShape();
        if (logits.dimension() != 2 || logits.get(0) != 1 || logits.get(1) < 2) {
          throw new TeacherException(file + " gave its first output the shape " + logits + " for one input of shape "
              + new Shape(batch) + ": a teacher's first output is (N, classes) logits");
        }
        int embedding = 0;
        if (out.size() > 1 && out.get(1).getShape().dimension() == 2 && out.get(1).getShape().get(0) == 1) {
          embedding = Math.toIntExact(out.get(1).getShape().get(1));
        }
        return new Widths(width, Math.toIntExact(logits.get(1)), embedding);
      } catch (TranslateException | RuntimeException e) {
        if (e instanceof TeacherException known) {
          throw known;
        }
        throw new TeacherException(file + " does not take one input of shape " + new Shape(batch) + " float32: "
            + EngineMessages.of(e), e);
      }
    }
  }

  private static String engine(String kind) {
    return switch (kind) {
      case OnnxTeacherLoader.KIND -> OnnxRuntimeNatives.ENGINE;
      case TorchScriptTeacherLoader.KIND -> "PyTorch";
      default -> throw new IllegalArgumentException("a vector model is onnx or torchscript, not " + kind);
    };
  }

  /** The dimensions of the graph's one input, as ONNX Runtime reads them (-1: left open). */
  private static long[] declaredShape(Path file, String kind) {
    if (!OnnxTeacherLoader.KIND.equals(kind)) {
      throw new IllegalArgumentException(file + " does not say what shape its input is (TorchScript never does):"
          + " give --vector-width (or --option inputShape=CHANNELS,ROWS,COLS for an image model)");
    }
    Map<String, NodeInfo> inputs;
    // DJL's engine makes the process's one ONNX Runtime environment, with its thread pool, and refuses to start
    // after one was made without it: start it first, then share its environment.
    OnnxRuntimeNatives.useCache();
    Engine.getEngine(OnnxRuntimeNatives.ENGINE);
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = environment.createSession(file.toString(), options)) {
      inputs = session.getInputInfo();
    } catch (OrtException e) {
      throw new TeacherException("cannot read the inputs of " + file + ": " + EngineMessages.of(e), e);
    }
    if (inputs.containsKey("input_ids")) {
      throw new IllegalArgumentException(file + " is a text model (inputs " + inputs.keySet() + "): put the"
          + " tokenizer.json it was exported with beside it, as the export tools write it");
    }
    if (inputs.size() != 1) {
      throw new TeacherException(file + " has " + inputs.size() + " inputs " + inputs.keySet() + ": a vector teacher"
          + " takes one, (N, width) or (N, channels, rows, cols) float32");
    }
    NodeInfo input = inputs.values().iterator().next();
    return input.getInfo() instanceof TensorInfo tensor ? tensor.getShape() : new long[0];
  }

  private static String exampleClasses(int count) {
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < Math.min(count, 3); i++) {
      names.append(i == 0 ? "" : ",").append("class").append(i);
    }
    return names + (count > 3 ? ",..." : "");
  }
}
