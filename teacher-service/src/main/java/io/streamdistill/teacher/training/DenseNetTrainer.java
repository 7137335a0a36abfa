package io.streamdistill.teacher.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import io.streamdistill.teacher.model.TeacherException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link DenseNetBlock} with DJL's PyTorch engine on the CPU: softmax cross-entropy, Adam
 * with a cosine decay to 1% of its rate over the run, shuffled mini-batches (images jittered when
 * asked), and after each epoch the accuracy on the test rows in inference mode (no dropout). With a
 * validation share ({@link TeacherTraining.Options#validationPercent}) that share of the training rows
 * is kept apart, and the weights written are those of the epoch with the best accuracy on it (ties: the
 * lower cross-entropy), not the last: the test rows only report, they choose nothing.
 *
 * <p>Deterministic in its data order, jitter and initialisation for a given seed; the seed is
 * engine-wide in PyTorch, so two trainings in one process should not run at once. Stateless: each
 * {@link #train} call makes and returns its own model.
 */
public final class DenseNetTrainer {
  private static final int EVAL_BATCH = 1000;
  /** Fewer validation rows than this choose nothing (one row more or less right moves accuracy by 5%). */
  static final int MIN_VALIDATION_ROWS = 20;

  /**
   * What one epoch did: the mean loss and accuracy on the (jittered) training rows, under dropout,
   * and the accuracy on the test rows in inference mode.
   */
  public record EpochStats(int epoch, double loss, double trainAccuracy, double testAccuracy,
      double validationAccuracy, double seconds) {}

  /**
   * A trained network, still in memory; the caller owns (and closes) the model.
   *
   * @param testLogits the network's own logits for each test row, in inference mode
   * @param keptEpoch the epoch whose weights the model holds (the last, or the validation's best)
   */
  public record TrainedNet(Model model, List<EpochStats> history, float[][] testLogits, double seconds,
      int keptEpoch) {}

  private DenseNetTrainer() {}

  /**
   * Trains the network of {@code architecture} on rows held flat ({@code n * inputWidth} floats) with
   * their class indexes, and measures it on the test rows after each epoch.
   *
   * @return the trained network; the caller owns (and closes) its model
   */
  public static TrainedNet train(float[] trainRows, int[] trainLabels, float[] testRows, int[] testLabels,
      DenseArchitecture architecture, TeacherTraining.Options options, PrintStream progress) {
    return train(new DenseData(trainRows, trainLabels, architecture.inputWidth()),
        new DenseData(testRows, testLabels, architecture.inputWidth()), architecture, options, progress);
  }

  static TrainedNet train(DenseData train, DenseData test, DenseArchitecture architecture,
      TeacherTraining.Options options, PrintStream progress) {
    long started = System.nanoTime();
    Engine.getEngine("PyTorch").setRandomSeed(Long.hashCode(options.seed()));
    Model model = Model.newInstance(DenseTeacherLoader.KIND, Device.cpu(), "PyTorch");
    try {
      model.setBlock(new DenseNetBlock(architecture, options.inputDropout(), options.hiddenDropout()));
      List<EpochStats> history = new ArrayList<>();
      Fit fit = fit(model, train, test, architecture, options, history, progress);
      // From here on the weights are read only.
      model.getBlock().freezeParameters(true);
      model.setProperty("Epoch", Integer.toString(history.size()));
      return new TrainedNet(model, history, fit.testLogits(), (System.nanoTime() - started) / 1e9, fit.keptEpoch());
    } catch (RuntimeException e) {
      model.close();
      throw e instanceof TeacherException ? e : new TeacherException("training the teacher failed: " + e, e);
    }
  }

  private record Fit(float[][] testLogits, int keptEpoch) {}

  private static Fit fit(Model model, DenseData all, DenseData test, DenseArchitecture architecture,
      TeacherTraining.Options options, List<EpochStats> history, PrintStream progress) {
    DenseData train = all;
    DenseData validation = null;
    if (options.validationPercent() > 0) {
      DenseData[] parts = all.splitOff(options.validationPercent(), options.seed());
      if (parts[1].size() >= MIN_VALIDATION_ROWS && parts[0].size() > 0) {
        train = parts[0];
        validation = parts[1];
        progress.printf(Locale.ROOT, "validation: %,d of the %,d training rows kept apart to choose the epoch by%n",
            validation.size(), all.size());
      } else {
        progress.printf(Locale.ROOT, "validation: %d rows would be too few to choose an epoch by (%d needed);"
            + " the last epoch's weights are kept%n", parts[1].size(), MIN_VALIDATION_ROWS);
      }
    }
    int n = train.size();
    int width = train.width();
    int batchSize = Math.min(options.batchSize(), n);
    int stepsPerEpoch = (n + batchSize - 1) / batchSize;
    // Cosine decay to 1% over the whole run: large steps early, fine ones at the end, and no
    // schedule to tune per epoch count.
    CosineSchedule learningRate = new CosineSchedule((float) options.learningRate(),
        (float) (options.learningRate() / 100), options.epochs() * stepsPerEpoch);
    EpochBudget budget = new EpochBudget(options.epochs(), options.maxSeconds());
    int epochs = options.epochs();
    DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(Optimizer.adam().optLearningRateTracker(learningRate).build())
        .optDevices(new Device[] {Device.cpu()});
    int rows = architecture.imageRows();
    int jitter = rows > 0 ? options.jitter() : 0;
    try (Trainer trainer = model.newTrainer(config)) {
      trainer.initialize(new Shape(batchSize, width));
      Random random = new Random(options.seed());
      int[] order = new int[n];
      Arrays.setAll(order, i -> i);
      float[] batch = new float[batchSize * width];
      long[] labels = new long[batchSize];
      float[][] testLogits = null;
      Best best = new Best();
      long firstStarted = System.nanoTime();
      for (int epoch = 1; epoch <= epochs; epoch++) {
        long epochStarted = System.nanoTime();
        shuffle(order, random);
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < n; from += batchSize) {
          if (Thread.currentThread().isInterrupted()) {
            throw new TeacherException("training the teacher was interrupted in epoch " + epoch);
          }
          int count = Math.min(batchSize, n - from);
          train.fillBatch(order, from, count, rows, architecture.imageCols(), jitter, random, batch, labels);
          // Everything a step creates lives in this scope and is freed at its end; only the weights
          // and the optimizer state outlive it.
          try (NDManager step = trainer.getManager().newSubManager()) {
            NDArray x = step.create(FloatBuffer.wrap(batch, 0, count * width), new Shape(count, width));
            NDArray y = step.create(Arrays.copyOf(labels, count));
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDArray logits = trainer.forward(new NDList(x)).get(0);
              NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
              collector.backward(loss);
              lossSum += loss.getFloat() * count;
              correct += logits.argMax(1).eq(y).countNonzero().getLong();
            }
            trainer.step();
          }
        }
        testLogits = logits(trainer, test, architecture.classes());
        double accuracy = accuracy(testLogits, test);
        double validationAccuracy = Double.NaN;
        if (validation != null) {
          float[][] validationLogits = logits(trainer, validation, architecture.classes());
          validationAccuracy = accuracy(validationLogits, validation);
          best.consider(epoch, validationAccuracy, crossEntropy(validationLogits, validation), model);
        }
        EpochStats stats = new EpochStats(epoch, lossSum / n, (double) correct / n, accuracy, validationAccuracy,
            (System.nanoTime() - epochStarted) / 1e9);
        history.add(stats);
        progress.printf(Locale.ROOT, "epoch %d/%d: loss %.4f,%s test accuracy %.2f%% (%.1f s)%n", epoch,
            epochs, stats.loss(), validation == null ? ""
                : String.format(Locale.ROOT, " validation accuracy %.2f%%,", 100 * validationAccuracy),
            100 * accuracy, stats.seconds());
        int fit = budget.epochsAfter(epoch, (System.nanoTime() - firstStarted) / 1e9, stats.seconds(), epochs);
        if (fit != epochs) {
          progress.printf(Locale.ROOT, "at %.0f s an epoch, %d epochs in all end within the time limit of %d s (%d"
              + " asked for); the learning rate's decay fitted to them%n", stats.seconds(), fit, options.maxSeconds(),
              options.epochs());
          epochs = fit;
          learningRate.setMaxUpdates(epochs * stepsPerEpoch);
        }
      }
      if (validation == null || best.epoch == epochs) {
        if (validation != null) {
          progress.printf(Locale.ROOT, "kept the last epoch: the best on validation (%.2f%%)%n", 100 * best.accuracy);
        }
        return new Fit(testLogits, epochs);
      }
      best.restore(model);
      testLogits = logits(trainer, test, architecture.classes());
      progress.printf(Locale.ROOT, "kept epoch %d of %d, the best on validation (%.2f%%): test accuracy %.2f%%%n",
          best.epoch, epochs, 100 * best.accuracy, 100 * accuracy(testLogits, test));
      return new Fit(testLogits, best.epoch);
    }
  }

  /** The epoch with the best validation accuracy so far (ties: the lower cross-entropy), and its weights. */
  private static final class Best {
    int epoch;
    double accuracy = -1;
    double loss = Double.POSITIVE_INFINITY;
    private final Map<String, float[]> weights = new LinkedHashMap<>();

    void consider(int candidate, double candidateAccuracy, double candidateLoss, Model model) {
      if (candidateAccuracy < accuracy || (candidateAccuracy == accuracy && !(candidateLoss < loss))) {
        return;
      }
      epoch = candidate;
      accuracy = candidateAccuracy;
      loss = candidateLoss;
      for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
        weights.put(p.getKey(), p.getValue().getArray().toFloatArray());
      }
    }

    void restore(Model model) {
      for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
        p.getValue().getArray().set(FloatBuffer.wrap(weights.get(p.getKey())));
      }
    }
  }

  /** The mean cross-entropy of the rows' true classes under softmax of their logits. */
  static double crossEntropy(float[][] logits, DenseData data) {
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      float max = logits[i][argMax(logits[i])];
      double z = 0;
      for (float v : logits[i]) {
        z += Math.exp(v - max);
      }
      sum += Math.log(z) - (logits[i][data.label(i)] - max);
    }
    return logits.length == 0 ? Double.NaN : sum / logits.length;
  }

  /** The logits of every row of {@code data}, in inference mode, in batches. */
  private static float[][] logits(Trainer trainer, DenseData data, int classes) {
    float[][] out = new float[data.size()][];
    for (int from = 0; from < data.size(); from += EVAL_BATCH) {
      int count = Math.min(EVAL_BATCH, data.size() - from);
      try (NDManager scope = trainer.getManager().newSubManager()) {
        NDArray x = scope.create(FloatBuffer.wrap(data.rows(from, count)), new Shape(count, data.width()));
        float[] flat = trainer.evaluate(new NDList(x)).get(0).toFloatArray();
        for (int i = 0; i < count; i++) {
          out[from + i] = Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
        }
      }
    }
    return out;
  }

  static double accuracy(float[][] logits, DenseData data) {
    int correct = 0;
    for (int i = 0; i < logits.length; i++) {
      if (argMax(logits[i]) == data.label(i)) {
        correct++;
      }
    }
    return logits.length == 0 ? Double.NaN : (double) correct / logits.length;
  }

  static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static void shuffle(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
