package io.streamdistill.teacher.text;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains a {@link LogisticHead}: multinomial logistic regression on fixed embeddings, with L2
 * regularisation on the weights (not the biases), minimised full-batch by L-BFGS.
 *
 * <p>Why this and not SGD in DJL: the embeddings are frozen, so the problem is a small convex one
 * (a few thousand rows of 384 numbers, 770 parameters). Full-batch L-BFGS reaches its optimum in a
 * second or two of plain Java, needs no learning rate or epoch count, and the result depends only
 * on the data and the settings, so retraining gives the same bytes (and the same teacher version).
 * A head that also reads the texts' hashed n-grams ({@link HeadInputs}) has 2^14 more columns per
 * class, held sparse: still convex, and each row costs its embedding and the n-grams it has.
 *
 * <p>The objective is {@code mean_i CE(y_i, softmax(W x_i + b)) + l2/2 * ||W||^2}. Stateless.
 */
public final class HeadTrainer {
  // L-BFGS memory: the usual 5-20; 10 is plenty for 770 parameters.
  private static final int MEMORY = 10;
  private static final double ARMIJO = 1e-4;
  private static final int MAX_HALVINGS = 50;

  private HeadTrainer() {}

  /**
   * How to train.
   *
   * @param l2 weight of the L2 penalty on the weights; > 0 keeps the problem strictly convex, so the
   *     optimum is unique and does not depend on the start
   * @param maxIterations L-BFGS iterations at most
   * @param tolerance stop when the largest gradient component is below this
   * @param seed seeds the (tiny) random start; with l2 > 0 the optimum is the same from any start,
   *     so the seed moves the result only within the tolerance
   */
  public record Settings(double l2, int maxIterations, double tolerance, long seed) {
    public Settings {
      if (!(l2 >= 0) || Double.isInfinite(l2)) {
        throw new IllegalArgumentException("l2 must be a finite number >= 0, not " + l2);
      }
      if (maxIterations < 1) {
        throw new IllegalArgumentException("maxIterations must be >= 1, not " + maxIterations);
      }
      if (!(tolerance > 0)) {
        throw new IllegalArgumentException("tolerance must be > 0, not " + tolerance);
      }
    }
  }

  /**
   * What training gave.
   *
   * @param head the trained head
   * @param iterations L-BFGS iterations run
   * @param loss the final objective (mean cross-entropy plus penalty)
   * @param converged whether the gradient fell below the tolerance (or the loss stopped moving)
   */
  public record Result(LogisticHead head, int iterations, double loss, boolean converged) {}

  /**
   * Trains a head on {@code embeddings} (rows of equal width) with class indexes {@code labels}.
   *
   * @throws IllegalArgumentException when the rows and labels do not match or a label is out of range
   */
  public static Result train(float[][] embeddings, int[] labels, int classes, Settings settings) {
    return train(HeadInputs.of(Objects.requireNonNull(embeddings, "embeddings")), labels, classes, settings);
  }

  /** Trains a head on {@code inputs}: their embeddings, and their n-grams when they have them. */
  static Result train(HeadInputs inputs, int[] labels, int classes, Settings settings) {
    Objects.requireNonNull(settings, "settings");
    Problem problem = new Problem(inputs, labels, classes, settings.l2());
    int size = problem.size();
    double[] x = new double[size];
    SplittableRandom random = new SplittableRandom(settings.seed());
    for (int i = 0; i < classes * problem.width; i++) {
      x[i] = random.nextGaussian() * 1e-3;
    }
    double[] g = new double[size];
    double f = problem.evaluate(x, g);
    Deque<double[][]> memory = new ArrayDeque<>();
    int iteration = 0;
    boolean converged = false;
    double[] direction = new double[size];
    double[] next = new double[size];
    double[] nextGradient = new double[size];
    while (iteration < settings.maxIterations()) {
      if (maxAbs(g) < settings.tolerance()) {
        converged = true;
        break;
      }
      iteration++;
      twoLoop(g, memory, direction);
      double slope = dot(g, direction);
      if (!(slope < 0)) {
        // Not a descent direction (stale curvature pairs): restart from steepest descent.
        memory.clear();
        for (int i = 0; i < size; i++) {
          direction[i] = -g[i];
        }
        slope = dot(g, direction);
      }
      // Without curvature information yet, a first step of unit length keeps the first probe sane.
      double step = memory.isEmpty() ? Math.min(1.0, 1.0 / Math.sqrt(-slope)) : 1.0;
      double fNext = Double.NaN;
      boolean accepted = false;
      for (int halving = 0; halving < MAX_HALVINGS; halving++) {
        for (int i = 0; i < size; i++) {
          next[i] = x[i] + step * direction[i];
        }
        fNext = problem.evaluate(next, nextGradient);
        if (fNext <= f + ARMIJO * step * slope) {
          accepted = true;
          break;
        }
        step *= 0.5;
      }
      if (!accepted) {
        // No step decreases the loss: we are at the optimum to machine precision.
        converged = true;
        break;
      }
      double[] s = new double[size];
      double[] y = new double[size];
      for (int i = 0; i < size; i++) {
        s[i] = next[i] - x[i];
        y[i] = nextGradient[i] - g[i];
      }
      // Keep the pair only when it carries positive curvature, which keeps the inverse Hessian
      // estimate positive definite.
      if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
        memory.addLast(new double[][] {s, y});
        if (memory.size() > MEMORY) {
          memory.removeFirst();
        }
      }
      double decrease = f - fNext;
      System.arraycopy(next, 0, x, 0, size);
      System.arraycopy(nextGradient, 0, g, 0, size);
      f = fNext;
      if (decrease <= 1e-12 * Math.max(1.0, Math.abs(f))) {
        converged = true;
        break;
      }
    }
    return new Result(problem.head(x), iteration, f, converged);
  }

  /** The L-BFGS two-loop recursion: {@code direction = -H g}. */
  private static void twoLoop(double[] g, Deque<double[][]> memory, double[] direction) {
    int size = g.length;
    double[] q = g.clone();
    double[] alpha = new double[memory.size()];
    int k = memory.size() - 1;
    for (Iterator<double[][]> it = memory.descendingIterator(); it.hasNext(); k--) {
      double[][] pair = it.next();
      double rho = 1.0 / dot(pair[1], pair[0]);
      alpha[k] = rho * dot(pair[0], q);
      axpy(-alpha[k], pair[1], q);
    }
    double gamma = 1.0;
    if (!memory.isEmpty()) {
      double[][] last = memory.peekLast();
      gamma = dot(last[0], last[1]) / dot(last[1], last[1]);
    }
    for (int i = 0; i < size; i++) {
      q[i] *= gamma;
    }
    k = 0;
    for (double[][] pair : memory) {
      double rho = 1.0 / dot(pair[1], pair[0]);
      double beta = rho * dot(pair[1], q);
      axpy(alpha[k] - beta, pair[0], q);
      k++;
    }
    for (int i = 0; i < size; i++) {
      direction[i] = -q[i];
    }
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += a * x[i];
    }
  }

  private static double maxAbs(double[] values) {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  /**
   * The objective and its gradient; parameters are the weights (row-major, each row the embedding's
   * columns then the n-grams') then the biases.
   */
  private static final class Problem {
    private final HeadInputs rows;
    private final int[] labels;
    private final int classes;
    private final int embeddingWidth;
    private final int width;
    private final double l2;

    Problem(HeadInputs rows, int[] labels, int classes, double l2) {
      Objects.requireNonNull(rows, "embeddings");
      Objects.requireNonNull(labels, "labels");
      if (rows.size() == 0 || rows.size() != labels.length) {
        throw new IllegalArgumentException("need as many labels as embeddings (and at least one), have "
            + rows.size() + " embeddings and " + labels.length + " labels");
      }
      if (classes < 2) {
        throw new IllegalArgumentException("need at least two classes, not " + classes);
      }
      this.embeddingWidth = rows.embedding(0).length;
      this.width = embeddingWidth + rows.ngramWidth();
      for (int i = 0; i < rows.size(); i++) {
        if (rows.embedding(i).length != embeddingWidth) {
          throw new IllegalArgumentException("embedding " + i + " has width " + rows.embedding(i).length + ", not "
              + embeddingWidth);
        }
        if (labels[i] < 0 || labels[i] >= classes) {
          throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", not a class index below "
              + classes);
        }
      }
      this.rows = rows;
      this.labels = labels;
      this.classes = classes;
      this.l2 = l2;
    }

    int size() {
      return classes * width + classes;
    }

    double evaluate(double[] params, double[] gradient) {
      java.util.Arrays.fill(gradient, 0);
      int biasOffset = classes * width;
      double loss = 0;
      double[] logits = new double[classes];
      for (int i = 0; i < rows.size(); i++) {
        float[] row = rows.embedding(i);
        NgramBlock ngrams = rows.ngrams(i);
        int[] buckets = ngrams.indexes();
        float[] values = ngrams.values();
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
          double z = params[biasOffset + c];
          int offset = c * width;
          for (int d = 0; d < embeddingWidth; d++) {
            z += params[offset + d] * row[d];
          }
          int ngramOffset = offset + embeddingWidth;
          for (int k = 0; k < buckets.length; k++) {
            z += params[ngramOffset + buckets[k]] * values[k];
          }
          logits[c] = z;
          max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          sum += Math.exp(logits[c] - max);
        }
        double logSum = max + Math.log(sum);
        loss += logSum - logits[labels[i]];
        for (int c = 0; c < classes; c++) {
          double error = Math.exp(logits[c] - logSum) - (c == labels[i] ? 1 : 0);
          int offset = c * width;
          for (int d = 0; d < embeddingWidth; d++) {
            gradient[offset + d] += error * row[d];
          }
          int ngramOffset = offset + embeddingWidth;
          for (int k = 0; k < buckets.length; k++) {
            gradient[ngramOffset + buckets[k]] += error * values[k];
          }
          gradient[biasOffset + c] += error;
        }
      }
      double n = rows.size();
      double penalty = 0;
      for (int i = 0; i < gradient.length; i++) {
        gradient[i] /= n;
      }
      for (int i = 0; i < biasOffset; i++) {
        penalty += params[i] * params[i];
        gradient[i] += l2 * params[i];
      }
      return loss / n + 0.5 * l2 * penalty;
    }

    LogisticHead head(double[] params) {
      float[] weights = new float[classes * width];
      float[] bias = new float[classes];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = (float) params[i];
      }
      for (int c = 0; c < classes; c++) {
        bias[c] = (float) params[classes * width + c];
      }
      return new LogisticHead(classes, width, weights, bias);
    }
  }
}
