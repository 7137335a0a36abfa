package io.streamdistill.trainer.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.StudentSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The DJL side of a {@link StudentLearner}: the model, its block and its trainer (Adam at the
 * learner's rates), built together and replaced together, since a fresh model is DJL's only way to
 * a fresh optimizer; and the samples turned into the block's input. A hashed n-gram student's
 * embedding table lives outside DJL ({@link EmbeddingTable}): its input is the table's bags.
 *
 * <p>Not thread-safe: owned, used and closed by one learner's thread.
 */
final class StudentNetwork implements AutoCloseable {
  private static final int RELATIONAL_CHUNK = 64;

  private final StudentSpec spec;
  private final Model model;
  private final Trainer trainer;
  private final StudentBlock block;
  /** What an MLP's input vectors are scaled by before the block reads them (null: taken as they are). */
  private InputScaling scaling;

  private StudentNetwork(StudentSpec spec, Model model, Trainer trainer, StudentBlock block) {
    this.spec = spec;
    this.model = model;
    this.trainer = trainer;
    this.block = block;
  }

  /** A network with fresh weights (from the seed) and a fresh optimizer. */
  static StudentNetwork build(StudentSpec spec, int hintWidth, DistillationLoss loss, ParameterTracker rates,
      long seed) {
    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    StudentBlock block = new StudentBlock(spec, hintWidth);
    Model model = Model.newInstance("student", Device.cpu(), "PyTorch");
    try {
      model.setBlock(block);
      DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
          .optOptimizer(Optimizer.adam().optLearningRateTracker(rates).build())
          .optDevices(new Device[] {Device.cpu()});
      Trainer trainer = model.newTrainer(config);
      trainer.initialize(inputShapes(spec));
      if (spec instanceof NgramSpec) {
        skipGradientCheck(trainer);
      }
      return new StudentNetwork(spec, model, trainer, block);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * DJL's first {@code step()} refuses gradients whose sum, signs included, is exactly zero ("Gradient
   * values are all zeros"). A hashed n-gram student's block is its softmax output layer alone (the table
   * is {@link EmbeddingTable}'s), and the gradients of a softmax layer sum to zero by construction: the
   * per-class terms {@code p - target} do. Their float sum is usually a rounding error away from zero and
   * sometimes exactly zero (seen in the methods benchmark, on the first step of the fourth row). The check
   * is DJL's only: skipped for this block.
   */
  private static void skipGradientCheck(Trainer trainer) {
    try {
      java.lang.reflect.Field checked = Trainer.class.getDeclaredField("gradientsChecked");
      checked.setAccessible(true);
      checked.setBoolean(trainer, true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("this DJL's Trainer has no gradientsChecked flag to skip its zero-sum check"
          + " for a softmax-only block: " + e, e);
    }
  }

  private static Shape[] inputShapes(StudentSpec spec) {
    if (spec instanceof MlpSpec mlp) {
      return new Shape[] {new Shape(1, mlp.inputSize())};
    }
    if (spec instanceof ConvSpec conv) {
      return new Shape[] {new Shape(1, conv.inputSize())};
    }
    return new Shape[] {new Shape(1, ((NgramSpec) spec).embeddingDim())};
  }

  Trainer trainer() {
    return trainer;
  }

  /** Scales an MLP's input vectors from now on (null: none). */
  void scaleInputs(InputScaling value) {
    this.scaling = value;
  }

  StudentBlock block() {
    return block;
  }

  /**
   * The block's input for a batch, in {@code manager}: the vectors side by side for an MLP (for a cnn
   * shifted and scaled as its spec says), the
   * table's bags of the samples' buckets (its averages when {@code averagedBags}) for an n-gram student.
   */
  NDList inputs(NDManager manager, List<TrainingSample> batch, EmbeddingTable table, boolean averagedBags) {
    int n = batch.size();
    if (spec instanceof MlpSpec mlp) {
      int width = mlp.inputSize();
      float[] x = new float[n * width];
      for (int i = 0; i < n; i++) {
        if (scaling == null) {
          System.arraycopy(batch.get(i).vector(), 0, x, i * width, width);
        } else {
          scaling.apply(batch.get(i).vector(), x, i * width);
        }
      }
      return new NDList(OwnedArrays.of(manager, x, new Shape(n, width)));
    }
    if (spec instanceof ConvSpec conv) {
      int width = conv.inputSize();
      float shift = conv.inputShift();
      float factor = conv.inputScale();
      float[] x = new float[n * width];
      for (int i = 0; i < n; i++) {
        float[] v = batch.get(i).vector();
        for (int j = 0; j < width; j++) {
          x[i * width + j] = (v[j] - shift) * factor; // as ConvStudent scales at the edge
        }
      }
      return new NDList(OwnedArrays.of(manager, x, new Shape(n, width)));
    }
    return new NDList(OwnedArrays.of(manager, table.bags(buckets(batch), averagedBags), new Shape(n, table.dim())));
  }

  static List<int[]> buckets(List<TrainingSample> samples) {
    List<int[]> buckets = new ArrayList<>(samples.size());
    for (TrainingSample s : samples) {
      buckets.add(s.buckets());
    }
    return buckets;
  }

  /** The network's logits for the samples (no learning), {@code (N * classes)} row-major. */
  float[] logits(List<TrainingSample> samples, EmbeddingTable table, boolean averagedBags) {
    try (NDManager scope = trainer.getManager().newSubManager()) {
      return trainer.evaluate(inputs(scope, samples, table, averagedBags)).head().toFloatArray();
    }
  }

  /**
   * FitNets' hint error, per dimension: the mean over the batch and the embedding's dimensions of
   * the squared difference. Summed over the dimensions (1,200 for the MNIST teacher) it was two
   * orders of magnitude above the distillation loss and swamped it.
   */
  static NDArray hintError(NDArray projected, NDArray embeddings) {
    return projected.sub(embeddings).square().mean();
  }

  /**
   * How far the network's representation is from the teacher's embeddings on these samples: the
   * hint's mean squared difference per dimension (NaN without a hint) and the relational loss
   * (computed whether or not the method trains on it). Both NaN when the samples carry no embeddings.
   *
   * @return {@code {hint, relational}}
   */
  double[] representationErrors(List<TrainingSample> samples, DistillationMethod method, EmbeddingTable table) {
    double hint = 0;
    double relational = 0;
    int chunks = 0;
    // In batches of a training step's size: the relational loss is about structure within a batch
    // (and its angle term grows with the cube of the batch).
    for (int from = 0; from + 3 <= samples.size(); from += RELATIONAL_CHUNK) {
      List<TrainingSample> part = samples.subList(from, Math.min(samples.size(), from + RELATIONAL_CHUNK));
      try (NDManager scope = trainer.getManager().newSubManager()) {
        NDArray embeddings = StepTargets.embeddings(scope, part);
        if (embeddings == null || part.size() < 3) {
          continue;
        }
        NDList out = trainer.evaluate(inputs(scope, part, table, false));
        hint += method.hintWeight() > 0 && embeddings.getShape().get(1) == method.hintWidth()
            ? hintError(out.get(2), embeddings).getFloat() : Double.NaN;
        relational += RelationalLoss.of(out.get(1), embeddings).getFloat();
        chunks++;
      }
    }
    return chunks == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {hint / chunks, relational / chunks};
  }

  @Override
  public void close() {
    try {
      trainer.close();
    } finally {
      model.close();
    }
  }
}
