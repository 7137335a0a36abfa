package io.streamdistill.teacher.text;

import io.streamdistill.teacher.model.TeacherException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A linear classification head on a frozen embedding: {@code logits = W·x + b}, one row of
 * {@code W} per class. Trained by {@link HeadTrainer} as a multinomial logistic regression, so the
 * logits are log-odds a distillation trainer can soften with its own temperature.
 *
 * <p>Its file ({@value #FILE_NAME}) is small and self-describing, all big-endian:
 *
 * <pre>
 * bytes 0-7   magic "SDHEAD01"
 * int32       classes (C)
 * int32       input width (D): the embedding's, then the n-gram buckets' when the head reads them
 * float32     C*D weights, row by row (class 0 first)
 * float32     C biases
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class LogisticHead {
  /** The head's file name in a teacher directory. */
  public static final String FILE_NAME = "head.bin";

  private static final byte[] MAGIC = {'S', 'D', 'H', 'E', 'A', 'D', '0', '1'};
  // Far above any head this code trains (classes x (384 + 16,384)); a header claiming more is a broken file.
  private static final int MAX_PARAMETERS = 1 << 24;

  private final int classes;
  private final int width;
  private final float[] weights;
  private final float[] bias;

  /**
   * A head from its parameters (copied).
   *
   * @param weights {@code classes * width} weights, row-major
   * @param bias {@code classes} biases
   */
  public LogisticHead(int classes, int width, float[] weights, float[] bias) {
    if (classes < 2 || width < 1) {
      throw new IllegalArgumentException("a head needs >= 2 classes and width >= 1, not " + classes + " x " + width);
    }
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(bias, "bias");
    if (weights.length != classes * width || bias.length != classes) {
      throw new IllegalArgumentException("a " + classes + " x " + width + " head needs " + classes * width
          + " weights and " + classes + " biases, not " + weights.length + " and " + bias.length);
    }
    for (float w : weights) {
      requireFinite(w);
    }
    for (float b : bias) {
      requireFinite(b);
    }
    this.classes = classes;
    this.width = width;
    this.weights = weights.clone();
    this.bias = bias.clone();
  }

  private static void requireFinite(float value) {
    if (!Float.isFinite(value)) {
      throw new IllegalArgumentException("a head's parameters must be finite, found " + value);
    }
  }

  public int classes() {
    return classes;
  }

  public int width() {
    return width;
  }

  /** The logits of one embedding. */
  public float[] logits(float[] embedding) {
    if (embedding.length != width) {
      throw new IllegalArgumentException("the head takes embeddings of width " + width + ", not " + embedding.length);
    }
    return logits(embedding, NgramBlock.EMPTY);
  }

  /**
   * The logits of an embedding followed by a text's n-grams: the head's columns after the embedding's
   * are the n-gram buckets.
   */
  float[] logits(float[] embedding, NgramBlock ngrams) {
    if (embedding.length > width) {
      throw new IllegalArgumentException("the head takes inputs of width " + width + ", not an embedding of "
          + embedding.length);
    }
    int[] buckets = ngrams.indexes();
    float[] values = ngrams.values();
    if (buckets.length > 0 && buckets[buckets.length - 1] >= width - embedding.length) {
      throw new IllegalArgumentException("n-gram bucket " + buckets[buckets.length - 1] + " is beyond the head's "
          + (width - embedding.length) + " n-gram columns");
    }
    float[] logits = new float[classes];
    for (int c = 0; c < classes; c++) {
      // Accumulate in double: the logits must not depend on summation noise between runs or machines.
      double sum = bias[c];
      int row = c * width;
      for (int d = 0; d < embedding.length; d++) {
        sum += (double) weights[row + d] * embedding[d];
      }
      int ngramRow = row + embedding.length;
      for (int k = 0; k < buckets.length; k++) {
        sum += (double) weights[ngramRow + buckets[k]] * values[k];
      }
      logits[c] = (float) sum;
    }
    return logits;
  }

  /** The class with the highest logit (the lowest index on ties). */
  public int predict(float[] embedding) {
    return argMax(logits(embedding));
  }

  /** The class with the highest logit for an embedding followed by n-grams (the lowest index on ties). */
  int predict(float[] embedding, NgramBlock ngrams) {
    return argMax(logits(embedding, ngrams));
  }

  private int argMax(float[] logits) {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (logits[c] > logits[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Writes the head to {@code file} in the format above. */
  public void write(Path file) {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file));
        DataOutputStream data = new DataOutputStream(out)) {
      data.write(MAGIC);
      data.writeInt(classes);
      data.writeInt(width);
      for (float w : weights) {
        data.writeFloat(w);
      }
      for (float b : bias) {
        data.writeFloat(b);
      }
    } catch (IOException e) {
      throw new TeacherException("cannot write the head to " + file + ": " + e, e);
    }
  }

  /**
   * Reads a head written by {@link #write}.
   *
   * @throws TeacherException when the file is not a head, is cut short or has bytes left over
   */
  public static LogisticHead read(Path file) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
        DataInputStream data = new DataInputStream(in)) {
      byte[] magic = new byte[MAGIC.length];
      data.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new TeacherException(file + " is not a head file (no SDHEAD01 header)");
      }
      int classes = data.readInt();
      int width = data.readInt();
      if (classes < 2 || width < 1 || (long) classes * width > MAX_PARAMETERS) {
        throw new TeacherException(file + " claims a " + classes + " x " + width + " head: not a head this code wrote");
      }
      float[] weights = new float[classes * width];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = data.readFloat();
      }
      float[] bias = new float[classes];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = data.readFloat();
      }
      if (data.read() != -1) {
        throw new TeacherException(file + " has bytes after the " + classes + " x " + width + " head");
      }
      return new LogisticHead(classes, width, weights, bias);
    } catch (EOFException e) {
      throw new TeacherException(file + " is cut short: not a whole head", e);
    } catch (IOException e) {
      throw new TeacherException("cannot read the head " + file + ": " + e, e);
    } catch (IllegalArgumentException e) {
      throw new TeacherException(file + ": " + e.getMessage(), e);
    }
  }
}
