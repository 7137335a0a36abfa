package io.streamdistill.teacher.text;

import static io.streamdistill.teacher.text.OnnxTextModel.ATTENTION_MASK;
import static io.streamdistill.teacher.text.OnnxTextModel.INPUT_IDS;
import static io.streamdistill.teacher.text.OnnxTextModel.LAST_HIDDEN_STATE;
import static io.streamdistill.teacher.text.OnnxTextModel.LOGITS;
import static io.streamdistill.teacher.text.OnnxTextModel.TOKEN_TYPE_IDS;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.text.OnnxTextModel.Output;
import io.streamdistill.teacher.text.OnnxTextModel.Pooling;
import io.streamdistill.teacher.text.OnnxTextModel.TokenBatch;
import java.util.Arrays;
import java.util.List;

/**
 * What an {@link OnnxTextModel}'s outputs mean: a DJL translator from a padded token batch to the
 * model's named inputs, and from its outputs to logits and one sentence embedding per text (pooled
 * from the hidden states, or a 2-D embedding output taken as it is). Stateless: safe to share.
 */
final class TextOutputs {
  private TextOutputs() {}

  /** The translator a session's predictor runs with. */
  static NoBatchifyTranslator<TokenBatch, Output> translator(Pooling pooling, boolean normalize) {
    return new Translator(pooling, normalize);
  }

  /** Token ids in, logits and pooled embeddings out; all NDArrays live in the call's manager. */
  private static final class Translator implements NoBatchifyTranslator<TokenBatch, Output> {
    private static final String BATCH = "batch";
    private final Pooling pooling;
    private final boolean normalize;

    Translator(Pooling pooling, boolean normalize) {
      this.pooling = pooling;
      this.normalize = normalize;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TokenBatch input) {
      ctx.setAttachment(BATCH, input);
      NDManager manager = ctx.getNDManager();
      Shape shape = new Shape(input.batch(), input.length());
      List<String> names = ctx.getModel().describeInput().keys();
      NDList list = new NDList(names.size());
      // Named inputs: ONNX Runtime feeds them by name, so their order here does not matter.
      for (String name : names) {
        long[] data = switch (name) {
          case INPUT_IDS -> input.ids();
          case ATTENTION_MASK -> input.mask();
          case TOKEN_TYPE_IDS -> input.types();
          default -> throw new IllegalStateException("unexpected model input " + name);
        };
        NDArray array = manager.create(data, shape);
        array.setName(name);
        list.add(array);
      }
      return list;
    }

    @Override
    public Output processOutput(TranslatorContext ctx, NDList outputs) {
      TokenBatch input = (TokenBatch) ctx.getAttachment(BATCH);
      float[][] logits = null;
      float[][] embeddings = null;
      NDArray hidden = null;
      NDArray pooled = null;
      for (NDArray output : outputs) {
        String name = output.getName();
        Shape shape = output.getShape();
        if (LOGITS.equals(name)) {
          logits = rows(output, input.batch());
        } else if (LAST_HIDDEN_STATE.equals(name)) {
          hidden = output;
        } else if (pooled == null && shape.dimension() == 2 && shape.get(0) == input.batch()) {
          pooled = output; // pooler_output, sentence_embedding, ...
        } else if (hidden == null && name == null && shape.dimension() == 3) {
          hidden = output; // an unnamed single output of an encoder
        }
      }
      if (hidden != null) {
        Shape shape = hidden.getShape();
        if (shape.get(0) != input.batch() || shape.get(1) != input.length()) {
          throw new TeacherException("the model's output " + LAST_HIDDEN_STATE + " has shape " + shape
              + ", expected (" + input.batch() + ", " + input.length() + ", hidden)");
        }
        embeddings = pool(hidden.toFloatArray(), input, (int) shape.get(2), pooling, normalize);
      } else if (pooled != null) {
        embeddings = rows(pooled, input.batch());
      }
      if (logits == null && embeddings == null) {
        throw new TeacherException("the ONNX text model's outputs " + Arrays.toString(outputs.getShapes())
            + " hold neither " + LOGITS + " nor " + LAST_HIDDEN_STATE + " nor a [batch, width] embedding");
      }
      return new Output(logits, embeddings);
    }
  }

  private static float[][] rows(NDArray array, int batch) {
    Shape shape = array.getShape();
    if (shape.dimension() != 2 || shape.get(0) != batch) {
      throw new TeacherException("the model's output " + array.getName() + " has shape " + shape + ", expected ("
          + batch + ", width)");
    }
    int width = (int) shape.get(1);
    float[] flat = array.toType(DataType.FLOAT32, false).toFloatArray();
    float[][] rows = new float[batch][width];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(flat, b * width, rows[b], 0, width);
    }
    return rows;
  }

  /**
   * One embedding per text from the hidden states: the mean over the tokens the mask marks real
   * (padding skipped, so a text's embedding does not depend on its batch's length), or the first
   * token's; then, if asked, scaled to unit length as sentence-transformers' normalize does.
   */
  static float[][] pool(float[] hidden, TokenBatch input, int width, Pooling pooling, boolean normalize) {
    int length = input.length();
    float[][] embeddings = new float[input.batch()][];
    for (int b = 0; b < input.batch(); b++) {
      double[] sum = new double[width];
      long tokens = 0;
      for (int t = 0; t < length; t++) {
        if (input.mask()[b * length + t] == 0) {
          continue;
        }
        tokens++;
        int offset = (b * length + t) * width;
        for (int d = 0; d < width; d++) {
          sum[d] += hidden[offset + d];
        }
        if (pooling == Pooling.CLS) {
          break;
        }
      }
      double norm = 0;
      for (int d = 0; d < width; d++) {
        sum[d] /= Math.max(tokens, 1);
        norm += sum[d] * sum[d];
      }
      // sentence-transformers' normalize: divide by max(norm, 1e-12)
      norm = normalize ? Math.max(Math.sqrt(norm), 1e-12) : 1.0;
      float[] embedding = new float[width];
      for (int d = 0; d < width; d++) {
        embedding[d] = (float) (sum[d] / norm);
      }
      embeddings[b] = embedding;
    }
    return embeddings;
  }
}
