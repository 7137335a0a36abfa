package io.streamdistill.trainer.model;

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
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * A student being trained with DJL's PyTorch engine: one training step per mini-batch (Adam), the
 * prequential score of each batch taken from the same forward pass before the update, batched
 * prediction for held-out evaluation, and the weights in and out in the shared plain-Java format.
 *
 * <p>Not thread-safe: one thread owns a learner (it owns a DJL model and trainer and their native
 * memory) and closes it. Everything a step allocates lives in a sub-manager freed at its end.
 *
 * <pre>{@code
 * try (StudentLearner learner = new StudentLearner(spec, new DistillationLoss(4, 0.7f), 0.001f, 42)) {
 *   StepResult r = learner.trainStep(batch);
 *   StudentWeights w = learner.weights();
 * }
 * }</pre>
 */
public final class StudentLearner implements AutoCloseable {
  /**
   * Adam's first updates move every weight by about the full learning rate, whatever its gradient's
   * size, because its moment estimates start at zero. On a fresh student that is harmless; on one
   * resumed from a published version it undoes part of what the version had learned, and the next
   * candidate fails the gate. A linear warm-up over the first updates avoids that jolt.
   */
  public static final int WARM_UP_STEPS = 20;

  private final StudentSpec spec;
  private final Model model;
  private final Trainer trainer;
  private final StudentBlock block;
  private final DistillationLoss loss;
  private final int classes;

  public StudentLearner(StudentSpec spec, DistillationLoss loss, float learningRate, long seed) {
    this.spec = spec;
    this.loss = loss;
    this.classes = spec.classes().size();
    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    this.block = new StudentBlock(spec);
    this.model = Model.newInstance("student", Device.cpu(), "PyTorch");
    try {
      model.setBlock(block);
      DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
          .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.warmUp()
              .setMainTracker(Tracker.fixed(learningRate))
              .optWarmUpSteps(WARM_UP_STEPS)
              .optWarmUpBeginValue(learningRate / WARM_UP_STEPS)
              .build()).build())
          .optDevices(new Device[] {Device.cpu()});
      this.trainer = model.newTrainer(config);
      trainer.initialize(inputShapes(spec));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public StudentSpec spec() {
    return spec;
  }

  public DistillationLoss loss() {
    return loss;
  }

  /**
   * Scores the batch with the current weights (the prequential evaluation: before the student has
   * seen it), then learns from it with one optimizer step.
   */
  public StepResult trainStep(List<TrainingSample> batch) {
    try (NDManager step = trainer.getManager().newSubManager()) {
      NDList inputs = inputs(step, batch);
      int n = batch.size();
      float[] soft = new float[n * classes];
      float[] softLog = new float[n * classes];
      float[] hard = new float[n * classes];
      for (int i = 0; i < n; i++) {
        TrainingSample s = batch.get(i);
        for (int c = 0; c < classes; c++) {
          float p = s.teacherSoft()[c];
          soft[i * classes + c] = p;
          softLog[i * classes + c] = p > 0 ? (float) Math.log(p) : 0f;
        }
        hard[i * classes + s.hardTarget()] = 1f;
      }
      Shape shape = new Shape(n, classes);
      NDList labels = new NDList(step.create(soft, shape), step.create(softLog, shape), step.create(hard, shape));
      float[] logits;
      double lossValue;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray out = trainer.forward(inputs).head();
        NDArray value = loss.evaluate(labels, new NDList(out));
        collector.backward(value);
        logits = out.toFloatArray();
        lossValue = value.getFloat();
      }
      trainer.step();
      return score(batch, logits, lossValue);
    }
  }

  /** The current student's logits for the samples (no learning), {@code (N * classes)} row-major. */
  public float[] logits(List<TrainingSample> samples) {
    try (NDManager step = trainer.getManager().newSubManager()) {
      return trainer.evaluate(inputs(step, samples)).head().toFloatArray();
    }
  }

  /**
   * Scores the samples with the current weights, without learning (held-out evaluation), in chunks
   * of {@code chunk}; the result's loss is NaN.
   */
  public StepResult evaluate(List<TrainingSample> samples, int chunk) {
    int agreed = 0;
    int labelled = 0;
    int correct = 0;
    for (int from = 0; from < samples.size(); from += chunk) {
      List<TrainingSample> part = samples.subList(from, Math.min(samples.size(), from + chunk));
      StepResult r = score(part, logits(part), Double.NaN);
      agreed += r.agreed();
      labelled += r.labelled();
      correct += r.correct();
    }
    return new StepResult(samples.size(), agreed, labelled, correct, Double.NaN);
  }

  /** The current weights, copied out, in the shared format. */
  public StudentWeights weights() {
    StudentWeights weights = new StudentWeights();
    for (var entry : spec.parameterShapes().entrySet()) {
      NDArray array = block.namedParameters().get(entry.getKey()).getArray();
      weights.put(entry.getKey(), entry.getValue(), array.toFloatArray());
    }
    return weights;
  }

  /** Replaces the weights (e.g. with the last published version's, on restart). */
  public void load(StudentWeights weights) {
    weights.requireFits(spec);
    for (Map.Entry<String, Parameter> entry : block.namedParameters().entrySet()) {
      entry.getValue().getArray().set(FloatBuffer.wrap(weights.get(entry.getKey()).values()));
    }
  }

  private StepResult score(List<TrainingSample> batch, float[] logits, double lossValue) {
    int agreed = 0;
    int labelled = 0;
    int correct = 0;
    for (int i = 0; i < batch.size(); i++) {
      int predicted = Softmax.argMax(logits, i * classes, classes);
      TrainingSample s = batch.get(i);
      if (predicted == s.teacherClass()) {
        agreed++;
      }
      if (s.label() >= 0) {
        labelled++;
        if (predicted == s.label()) {
          correct++;
        }
      }
    }
    return new StepResult(batch.size(), agreed, labelled, correct, lossValue);
  }


  private NDList inputs(NDManager manager, List<TrainingSample> batch) {
    int n = batch.size();
    if (spec instanceof MlpSpec mlp) {
      int width = mlp.inputSize();
      float[] x = new float[n * width];
      for (int i = 0; i < n; i++) {
        System.arraycopy(batch.get(i).vector(), 0, x, i * width, width);
      }
      return new NDList(manager.create(x, new Shape(n, width)));
    }
    int length = 1;
    for (TrainingSample s : batch) {
      length = Math.max(length, s.buckets().length);
    }
    long[] ids = new long[n * length];
    float[] weights = new float[n * length];
    for (int i = 0; i < n; i++) {
      int[] buckets = batch.get(i).buckets();
      for (int j = 0; j < buckets.length; j++) {
        ids[i * length + j] = buckets[j];
        weights[i * length + j] = 1f / buckets.length;
      }
    }
    return new NDList(manager.create(ids, new Shape(n, length)), manager.create(weights, new Shape(n, length)));
  }

  private static Shape[] inputShapes(StudentSpec spec) {
    if (spec instanceof MlpSpec mlp) {
      return new Shape[] {new Shape(1, mlp.inputSize())};
    }
    return new Shape[] {new Shape(1, 1), new Shape(1, 1)};
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
