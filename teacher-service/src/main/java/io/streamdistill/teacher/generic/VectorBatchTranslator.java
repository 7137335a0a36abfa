package io.streamdistill.teacher.generic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A whole micro-batch in, one prediction per input out. It is a {@link NoBatchifyTranslator}
 * because it does the batching itself: DJL's batchifier would call it once per input.
 *
 * <p>Each input is laid out and scaled as teacher.json's options say ({@link InputLayout}: an image model's
 * {@code (N, channels, rows, cols)}, its pixels normalised per channel), else stacked as {@code (N, width)}.
 *
 * <p>The input array is created in the call's own manager ({@link TranslatorContext#getNDManager}),
 * which DJL closes when the call returns, so no native memory outlives a batch. Stateless and
 * thread-safe.
 */
final class VectorBatchTranslator implements NoBatchifyTranslator<List<TeacherInput>, List<Prediction>> {
  private static final String BATCH_SIZE = "batchSize";

  private final int width;
  private final InputLayout layout;
  private final int classes;
  private final int embeddingWidth;

  VectorBatchTranslator(TeacherDescriptor descriptor) {
    this.width = descriptor.vectorWidth();
    this.layout = InputLayout.of(descriptor);
    this.classes = descriptor.classes().size();
    this.embeddingWidth = descriptor.embeddingWidth();
  }

  @Override
  public NDList processInput(TranslatorContext ctx, List<TeacherInput> batch) {
    int n = batch.size();
    float[] stacked = new float[Math.multiplyExact(n, width)];
    for (int i = 0; i < n; i++) {
      float[] vector = batch.get(i).vector();
      // The service validates inputs before they reach a model; this check only turns a bug there
      // into a clear error instead of a native out-of-bounds read or a misaligned batch.
      if (vector == null || vector.length != width) {
        throw new TeacherException("input " + i + " of the batch has "
            + (vector == null ? "no vector" : "a vector of width " + vector.length)
            + ", the teacher takes vectors of width " + width);
      }
      layout.copy(vector, stacked, i * width);
    }
    ctx.setAttachment(BATCH_SIZE, n);
    NDArray input = ctx.getNDManager().create(FloatBuffer.wrap(stacked), layout.batchShape(n));
    return new NDList(input);
  }

  @Override
  public List<Prediction> processOutput(TranslatorContext ctx, NDList output) {
    int n = (Integer) ctx.getAttachment(BATCH_SIZE);
    if (output.isEmpty()) {
      throw new TeacherException("the model returned no output");
    }
    float[] logits = read(output.get(0), n, classes, "output 0 (logits)");
    float[] embeddings = null;
    if (embeddingWidth > 0) {
      if (output.size() < 2) {
        throw new TeacherException("the model returned " + output.size() + " output(s), but teacher.json declares"
            + " embeddingWidth " + embeddingWidth + ", which is read from output 1");
      }
      embeddings = read(output.get(1), n, embeddingWidth, "output 1 (embedding)");
    }
    List<Prediction> predictions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] rowLogits = Arrays.copyOfRange(logits, i * classes, (i + 1) * classes);
      float[] rowEmbedding = embeddings == null ? null
          : Arrays.copyOfRange(embeddings, i * embeddingWidth, (i + 1) * embeddingWidth);
      predictions.add(new Prediction(rowLogits, rowEmbedding));
    }
    return predictions;
  }

  private static float[] read(NDArray array, int rows, int columns, String what) {
    Shape expected = new Shape(rows, columns);
    if (!array.getShape().equals(expected)) {
      throw new TeacherException(what + " has shape " + array.getShape() + ", expected " + expected
          + " for a batch of " + rows);
    }
    NDArray floats = array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
    float[] values = floats.toFloatArray();
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw new TeacherException(what + " holds a non-finite value (" + v + ")");
      }
    }
    return values;
  }
}
