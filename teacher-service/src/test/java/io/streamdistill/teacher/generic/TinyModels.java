package io.streamdistill.teacher.generic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Real model files, written byte by byte from their formats' specifications, since nothing here
 * can run Python: the same tiny network {@code hidden = relu(x W1 + b1); logits = hidden W2 + b2}
 * as an ONNX graph and as a TorchScript archive. Both return {@code (logits, hidden)}, or only the
 * logits, and {@link #expected} computes the same in plain Java for the tests to compare with.
 */
public final class TinyModels {
  static final float[][] W1 = {{0.5f, -0.25f, 1f}, {-1f, 0.75f, 0.5f}, {0.25f, 0.5f, -0.5f}, {1f, -1f, 0.25f}};
  static final float[] B1 = {0.1f, -0.2f, 0.3f};
  static final float[][] W2 = {{1f, -1f}, {-0.5f, 2f}, {0.75f, 0.25f}};
  static final float[] B2 = {0.05f, -0.05f};
  public static final int IN = 4;
  public static final int HIDDEN = 3;
  public static final int OUT = 2;

  private TinyModels() {}

  /** {logits, hidden} of the tiny network for one input, in plain Java. */
  public static float[][] expected(float[] x) {
    float[] hidden = new float[HIDDEN];
    for (int j = 0; j < HIDDEN; j++) {
      float sum = B1[j];
      for (int i = 0; i < IN; i++) {
        sum += x[i] * W1[i][j];
      }
      hidden[j] = Math.max(0f, sum);
    }
    float[] logits = new float[OUT];
    for (int k = 0; k < OUT; k++) {
      float sum = B2[k];
      for (int j = 0; j < HIDDEN; j++) {
        sum += hidden[j] * W2[j][k];
      }
      logits[k] = sum;
    }
    return new float[][] {logits, hidden};
  }

  // ---------------------------------------------------------------- ONNX (protobuf, onnx.proto)

  /** An ONNX model (IR 8, opset 13) with input "x" (N, 4) and outputs "logits" (N, 2) [and "hidden" (N, 3)]. */
  public static byte[] onnx(boolean withEmbedding) {
    Proto graph = network(new Proto(), "x");
    graph.message(11, valueInfo("x", IN));
    graph.message(12, valueInfo("logits", OUT));
    if (withEmbedding) {
      graph.message(12, valueInfo("hidden", HIDDEN));
    }
    return model(graph);
  }

  /** Adds the network's nodes and weights from {@code input} (N, 4) to "logits" (N, 2), via "hidden" (N, 3). */
  private static Proto network(Proto graph, String input) {
    graph.message(1, node("MatMul", input, "W1", "xw1"));
    graph.message(1, node("Add", "xw1", "B1", "pre"));
    graph.message(1, node("Relu", "pre", null, "hidden"));
    graph.message(1, node("MatMul", "hidden", "W2", "hw2"));
    graph.message(1, node("Add", "hw2", "B2", "logits"));
    graph.string(2, "tiny-mlp");
    graph.message(5, tensor("W1", flatten(W1), IN, HIDDEN));
    graph.message(5, tensor("B1", B1, HIDDEN));
    graph.message(5, tensor("W2", flatten(W2), HIDDEN, OUT));
    graph.message(5, tensor("B2", B2, OUT));
    return graph;
  }

  /** The model around a graph: IR 8, opset 13. */
  private static byte[] model(Proto graph) {
    Proto opset = new Proto().string(1, "").varint(2, 13);
    return new Proto().varint(1, 8).string(2, "stream-distill-test").message(7, graph).message(8, opset).bytes();
  }

  /**
   * The same network as an image classifier: input "x" {@code (N, 1, 2, 2)} (the 2x2 image of one channel whose
   * pixels are the 4 inputs, row by row), flattened, output "logits" {@code (N, 2)}. With {@code openSize} the
   * graph leaves rows and cols open ("height", "width"), as HuggingFace's image exports do.
   */
  public static byte[] onnxImage(boolean openSize) {
    return onnxImage(openSize, false);
  }

  /** As {@link #onnxImage(boolean)}, or with {@code channelsLast} an input "x" {@code (N, 2, 2, 1)} as TensorFlow's. */
  public static byte[] onnxImage(boolean openSize, boolean channelsLast) {
    Proto graph = network(new Proto().message(1, node("Flatten", "x", null, "flat")), "flat");
    Proto shape = new Proto().message(1, new Proto().string(2, "N"));
    if (!channelsLast) {
      shape.message(1, new Proto().varint(1, 1));
    }
    if (openSize) {
      shape.message(1, new Proto().string(2, "height")).message(1, new Proto().string(2, "width"));
    } else {
      shape.message(1, new Proto().varint(1, 2)).message(1, new Proto().varint(1, 2));
    }
    if (channelsLast) {
      shape.message(1, new Proto().varint(1, 1));
    }
    Proto tensorType = new Proto().varint(1, 1 /* FLOAT */).message(2, shape);
    graph.message(11, new Proto().string(1, "x").message(2, new Proto().message(1, tensorType)));
    graph.message(12, valueInfo("logits", OUT));
    return model(graph);
  }

  private static Proto node(String op, String input1, String input2, String output) {
    Proto node = new Proto().string(1, input1);
    if (input2 != null) {
      node.string(1, input2);
    }
    return node.string(2, output).string(3, op + "_" + output).string(4, op);
  }

  private static Proto tensor(String name, float[] values, long... dims) {
    Proto tensor = new Proto();
    for (long dim : dims) {
      tensor.varint(1, dim);
    }
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return tensor.varint(2, 1 /* FLOAT */).string(8, name).raw(9, raw.array());
  }

  /** A float tensor (N, width), N symbolic. */
  private static Proto valueInfo(String name, int width) {
    Proto shape = new Proto().message(1, new Proto().string(2, "N")).message(1, new Proto().varint(1, width));
    Proto tensorType = new Proto().varint(1, 1 /* FLOAT */).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
  }

  private static float[] flatten(float[][] matrix) {
    float[] flat = new float[matrix.length * matrix[0].length];
    for (int i = 0; i < matrix.length; i++) {
      System.arraycopy(matrix[i], 0, flat, i * matrix[0].length, matrix[0].length);
    }
    return flat;
  }

  /** The protobuf wire format, only what ONNX needs: varints and length-delimited fields. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      writeVarint((long) field << 3);
      writeVarint(value);
      return this;
    }

    Proto string(int field, String value) {
      return raw(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto message) {
      return raw(field, message.bytes());
    }

    Proto raw(int field, byte[] value) {
      writeVarint(((long) field << 3) | 2);
      writeVarint(value.length);
      out.writeBytes(value);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void writeVarint(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }
  }

  // ---------------------------------------------------------------- TorchScript (torch.jit.save's zip)

  /**
   * A TorchScript archive as {@code torch.jit.save} writes it for a scripted module without
   * parameters: the module's TorchScript source under {@code code/}, its object state as a protocol 2
   * pickle ({@code data.pkl}), the empty constants table and the format version. The weights are
   * literals in the source, so no tensor storage is needed.
   */
  public static byte[] torchScript(boolean withEmbedding) {
    String returnType = withEmbedding ? "Tuple[Tensor, Tensor]" : "Tensor";
    String code = String.join("\n",
        "class TinyMlp(Module):",
        "  __parameters__ = []",
        "  __buffers__ = []",
        "  training : bool",
        "  def forward(self: __torch__.TinyMlp,",
        "    x: Tensor) -> " + returnType + ":",
        "    w1 = torch.tensor(" + literal(W1) + ", dtype=6)",
        "    b1 = torch.tensor(" + literal(B1) + ", dtype=6)",
        "    w2 = torch.tensor(" + literal(W2) + ", dtype=6)",
        "    b2 = torch.tensor(" + literal(B2) + ", dtype=6)",
        "    hidden = torch.relu(torch.add(torch.matmul(x, w1), b1))",
        "    logits = torch.add(torch.matmul(hidden, w2), b2)",
        "    return " + (withEmbedding ? "(logits, hidden)" : "logits"),
        "");
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes(new byte[] {(byte) 0x80, 2}); // PROTO 2
    data.writeBytes("c__torch__\nTinyMlp\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL: the class
    data.write(')'); // EMPTY_TUPLE
    data.write(0x81); // NEWOBJ
    data.write('}'); // EMPTY_DICT: the object's attributes
    data.write('('); // MARK
    unicode(data, "training");
    data.write(0x88); // NEWTRUE
    data.write('u'); // SETITEMS
    data.write('b'); // BUILD
    data.write('.'); // STOP
    byte[] constants = {(byte) 0x80, 2, ')', '.'}; // PROTO 2, EMPTY_TUPLE, STOP

    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      stored(out, "archive/data.pkl", data.toByteArray());
      stored(out, "archive/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
      stored(out, "archive/constants.pkl", constants);
      stored(out, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip.toByteArray();
  }

  private static void unicode(ByteArrayOutputStream out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.write('X'); // BINUNICODE: 4-byte little-endian length, UTF-8
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }

  /** Uncompressed, as torch.jit.save writes entries (its reader maps tensor data in place). */
  private static void stored(ZipOutputStream out, String name, byte[] content) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(content.length);
    entry.setCompressedSize(content.length);
    CRC32 crc = new CRC32();
    crc.update(content);
    entry.setCrc(crc.getValue());
    out.putNextEntry(entry);
    out.write(content);
    out.closeEntry();
  }

  private static String literal(float[][] matrix) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < matrix.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(literal(matrix[i]));
    }
    return sb.append(']').toString();
  }

  private static String literal(float[] row) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < row.length; i++) {
      // Every weight here is a short binary fraction, so its decimal form is exact.
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s", Float.toString(row[i])));
    }
    return sb.append(']').toString();
  }

  /** The inputs the tests use: a few rows with positive and negative parts. */
  static List<float[]> inputs() {
    return List.of(new float[] {1f, 2f, 3f, 4f}, new float[] {-1f, 0.5f, 0f, 2f}, new float[] {0f, 0f, 0f, 0f},
        new float[] {3f, -2f, 1f, -0.5f}, new float[] {0.25f, 0.25f, -4f, 1f});
  }
}
