package io.streamdistill.teacher.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A real ONNX text classifier, written byte by byte from onnx.proto since nothing here can run
 * Python: inputs {@code input_ids} and {@code attention_mask} (no {@code token_type_ids}), a token
 * embedding table, the sum over the real tokens, a linear layer, output {@code logits}
 * {@code [batch, 3]}, and optionally the summed vector as {@code pooler_output} {@code [batch, 4]}.
 * {@link #expected} computes the same in plain Java from token ids.
 */
public final class TinyTextClassifier {
  static final int VOCAB = 30522; // the MiniLM tokenizer's
  static final int WIDTH = 4;
  static final int CLASSES = 3;
  // [WIDTH, CLASSES]
  static final float[] W = {0.5f, -1f, 0.25f, 1f, 0.75f, -0.5f, -0.25f, 0.5f, 1f, 2f, -1.5f, 0.125f};
  static final float[] B = {0.1f, -0.2f, 0.05f};

  private TinyTextClassifier() {}

  static float embedding(long token, int d) {
    return (((token * 7 + d * 13L) % 101) / 101f - 0.5f) * 0.1f;
  }

  /** {logits, pooled} for one text's token ids (no padding), in plain Java. */
  static float[][] expected(long[] ids) {
    float[] pooled = new float[WIDTH];
    for (long id : ids) {
      for (int d = 0; d < WIDTH; d++) {
        pooled[d] += embedding(id, d);
      }
    }
    float[] logits = new float[CLASSES];
    for (int c = 0; c < CLASSES; c++) {
      float sum = B[c];
      for (int d = 0; d < WIDTH; d++) {
        sum += pooled[d] * W[d * CLASSES + c];
      }
      logits[c] = sum;
    }
    return new float[][] {logits, pooled};
  }

  /** The ONNX model (IR 8, opset 13). */
  public static byte[] onnx(boolean withPooledOutput) {
    float[] table = new float[VOCAB * WIDTH];
    for (int v = 0; v < VOCAB; v++) {
      for (int d = 0; d < WIDTH; d++) {
        table[v * WIDTH + d] = embedding(v, d);
      }
    }
    Proto graph = new Proto();
    graph.message(1, node("Gather", "emb", new String[] {"E", "input_ids"}, null));
    graph.message(1, node("Cast", "maskf", new String[] {"attention_mask"}, intAttribute("to", 1 /* FLOAT */)));
    graph.message(1, node("Unsqueeze", "mask3", new String[] {"maskf", "axis2"}, null));
    graph.message(1, node("Mul", "masked", new String[] {"emb", "mask3"}, null));
    graph.message(1, node("ReduceSum", "pooler_output", new String[] {"masked", "axis1"}, intAttribute("keepdims", 0)));
    graph.message(1, node("MatMul", "mm", new String[] {"pooler_output", "W"}, null));
    graph.message(1, node("Add", "logits", new String[] {"mm", "B"}, null));
    graph.string(2, "tiny-text-classifier");
    graph.message(5, floats("E", table, VOCAB, WIDTH));
    graph.message(5, floats("W", W, WIDTH, CLASSES));
    graph.message(5, floats("B", B, CLASSES));
    graph.message(5, longs("axis1", new long[] {1}, 1));
    graph.message(5, longs("axis2", new long[] {2}, 1));
    graph.message(11, valueInfo("input_ids", 7 /* INT64 */, "N", "L"));
    graph.message(11, valueInfo("attention_mask", 7, "N", "L"));
    graph.message(12, valueInfo("logits", 1, "N", CLASSES));
    if (withPooledOutput) {
      graph.message(12, valueInfo("pooler_output", 1, "N", WIDTH));
    }
    Proto opset = new Proto().string(1, "").varint(2, 13);
    return new Proto().varint(1, 8).string(2, "stream-distill-test").message(7, graph).message(8, opset).bytes();
  }

  private static Proto node(String op, String output, String[] inputs, Proto attribute) {
    Proto node = new Proto();
    for (String input : inputs) {
      node.string(1, input);
    }
    node.string(2, output).string(3, op + "_" + output).string(4, op);
    if (attribute != null) {
      node.message(5, attribute);
    }
    return node;
  }

  private static Proto intAttribute(String name, long value) {
    return new Proto().string(1, name).varint(3, value).varint(20, 2 /* INT */);
  }

  private static Proto floats(String name, float[] values, long... dims) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return tensor(name, 1 /* FLOAT */, raw.array(), dims);
  }

  private static Proto longs(String name, long[] values, long... dims) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    return tensor(name, 7 /* INT64 */, raw.array(), dims);
  }

  private static Proto tensor(String name, int type, byte[] raw, long... dims) {
    Proto tensor = new Proto();
    for (long dim : dims) {
      tensor.varint(1, dim);
    }
    return tensor.varint(2, type).string(8, name).raw(9, raw);
  }

  /** A tensor type with symbolic (String) or fixed (Integer) dimensions. */
  private static Proto valueInfo(String name, int elementType, Object... dims) {
    Proto shape = new Proto();
    for (Object dim : dims) {
      shape.message(1, dim instanceof String symbol ? new Proto().string(2, symbol)
          : new Proto().varint(1, ((Integer) dim).longValue()));
    }
    Proto tensorType = new Proto().varint(1, elementType).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
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
}
