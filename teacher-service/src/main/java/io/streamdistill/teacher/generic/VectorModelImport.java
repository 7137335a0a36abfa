package io.streamdistill.teacher.generic;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
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
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the {@code teacher.json} of a directory holding someone's own vector model, an ONNX graph
 * (kind {@code onnx}) or a TorchScript module (kind {@code torchscript}), from what the model itself
 * says: its input width (from the graph's input shape when the graph fixes it, else given), and, by
 * running one all-zero row through it, how many logits it gives (output 0) and the width of its
 * embedding (a 2-D output 1, if any). The classes are given, in logit order: a model file does not
 * name them.
 */
public final class VectorModelImport {
  private VectorModelImport() {}

  /** What the model said about itself. */
  public record Widths(int input, int logits, int embedding) {}

  /**
   * Probes {@code dir/file} and writes {@code dir/teacher.json} with the file's SHA-256.
   *
   * @param kind {@code onnx} or {@code torchscript}
   * @param classes the class names in logit order; their number must be the model's number of logits
   * @param vectorWidth the input width, or 0 to read it from the graph (ONNX only)
   * @param options teacher.json options (the model file is recorded as {@code file})
   * @throws IllegalArgumentException for what the caller must give (classes, the width), naming it
   * @throws TeacherException when the model does not load or does not take {@code (1, width)} rows
   */
  public static TeacherDescriptor describe(Path dir, String kind, String file, String id, String version,
      List<String> classes, int vectorWidth, Map<String, String> options) {
    Widths widths = probe(dir.resolve(file), kind, vectorWidth);
    if (classes == null || classes.isEmpty()) {
      throw new IllegalArgumentException(file + " gives " + widths.logits() + " logits: name its classes in logit"
          + " order with --classes (e.g. --classes " + exampleClasses(widths.logits()) + "), as your labels name"
          + " them");
    }
    if (classes.size() != widths.logits()) {
      throw new IllegalArgumentException(file + " gives " + widths.logits() + " logits, but --classes names "
          + classes.size() + ": " + classes);
    }
    Map<String, String> withFile = new LinkedHashMap<>(options);
    withFile.put(VectorModelFileLoader.FILE_OPTION, file);
    TeacherDescriptor descriptor = new TeacherDescriptor(id, version, kind, classes, TeacherDescriptor.VECTOR,
        widths.input(), widths.embedding(), Map.of(), Map.of(), withFile);
    return TeacherDirectory.write(dir, descriptor, List.of(file));
  }

  /**
   * Loads the model and runs one all-zero row through it.
   *
   * @param vectorWidth the input width, or 0 to read it from the graph's first input
   */
  public static Widths probe(Path file, String kind, int vectorWidth) {
    String engine = switch (kind) {
      case OnnxTeacherLoader.KIND -> "OnnxRuntime";
      case TorchScriptTeacherLoader.KIND -> "PyTorch";
      default -> throw new IllegalArgumentException("a vector model is onnx or torchscript, not " + kind);
    };
    if (!Files.isRegularFile(file)) {
      throw new TeacherException("no model file " + file);
    }
    try (Model model = Model.newInstance("import", Device.cpu(), engine)) {
      try {
        model.load(file, null, Map.of());
      } catch (IOException | MalformedModelException | RuntimeException e) {
        throw new TeacherException("cannot load " + file + " as " + (engine.equals("PyTorch") ? "a TorchScript module"
            : "an ONNX model") + ": " + EngineMessages.of(e), e);
      }
      int width = vectorWidth > 0 ? vectorWidth : declaredWidth(file, engine);
      try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
          NDManager manager = NDManager.newBaseManager(Device.cpu(), engine)) {
        NDList out = predictor.predict(new NDList(manager.create(new float[width], new Shape(1, width))));
        Shape logits = out.get(0).getShape();
        if (logits.dimension() != 2 || logits.get(0) != 1 || logits.get(1) < 2) {
          throw new TeacherException(file + " gave its first output the shape " + logits + " for one row of "
              + width + ": a teacher's first output is (N, classes) logits");
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
        throw new TeacherException(file + " does not take one row of " + width + " float32 values (" + (vectorWidth > 0
            ? "--vector-width" : "its input's width") + "): " + EngineMessages.of(e), e);
      }
    }
  }

  /** The width of an ONNX graph's one input when the graph fixes it, read by ONNX Runtime itself. */
  private static int declaredWidth(Path file, String engine) {
    if (!"OnnxRuntime".equals(engine)) {
      throw new IllegalArgumentException(file + " does not say how wide its input is (TorchScript never does):"
          + " give --vector-width");
    }
    Map<String, NodeInfo> inputs;
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
          + " takes one, (N, width) float32");
    }
    Map.Entry<String, NodeInfo> input = inputs.entrySet().iterator().next();
    long[] shape = input.getValue().getInfo() instanceof TensorInfo tensor ? tensor.getShape() : new long[0];
    if (shape.length != 2 || shape[1] <= 0) {
      throw new IllegalArgumentException(file + "'s input " + input.getKey() + " has the shape "
          + Arrays.toString(shape) + ", not (N, width) with a fixed width: give --vector-width");
    }
    return Math.toIntExact(shape[1]);
  }

  private static String exampleClasses(int count) {
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < Math.min(count, 3); i++) {
      names.append(i == 0 ? "" : ",").append("class").append(i);
    }
    return names + (count > 3 ? ",..." : "");
  }
}
