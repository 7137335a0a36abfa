package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.tracker.ParameterTracker;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.Pruning;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A student being trained with DJL's PyTorch engine: one training step per mini-batch (Adam), the
 * prequential score of each batch taken from the same forward pass before the update, batched
 * prediction for held-out evaluation, and the weights in and out in the shared plain-Java format.
 * The {@link DistillationMethod} says what the loss holds beyond the classic terms (several
 * teachers, a fading α, self-distillation, hint and relational terms), and {@link #prune} keeps a
 * share of the weights at zero. The {@link LearnerOptions} say how it learns from a stream that
 * never ends: a learning-rate schedule, an averaged copy of the weights (what {@link #weights} and
 * {@link #predictions} give: what a candidate publishes and is judged by), a bounded replay buffer,
 * and a hashed n-gram student's embedding table held and updated sparsely ({@link EmbeddingTable}).
 * An MLP over raw-scale vectors trains on standardised ones and publishes weights that read them raw
 * ({@link InputScaling}).
 *
 * <p>Not thread-safe: one thread owns a learner (it owns a DJL model and trainer and their native
 * memory) and closes it. Everything a step allocates lives in a sub-manager freed at its end.
 *
 * <p>Why it is longer than the house's 400 lines: it is where the parts of a step meet, in their
 * order, and each part is a type of its own ({@link StudentNetwork} the DJL model and trainer, {@link
 * StepTargets} the targets, {@link AlphaFade} the fade, {@link Replays} the replay, {@link
 * PolyakAverage} the average, {@link PruningMasks} the pruning, {@link GradientGuard} the guard,
 * {@link EmbeddingTable} the sparse table, {@link InputScaling} a raw vector's standardisation). What
 * stays is their order and the public surface the trainer, the benchmarks and the tuning share: about
 * 350 lines of code, the rest Javadoc.
 *
 * <pre>{@code
 * try (StudentLearner learner = new StudentLearner(spec, DistillationMethod.classic(4, 0.7f), 0.001f, 42)) {
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
   * candidate fails the gate. A linear warm-up over the first updates avoids that jolt. A fresh
   * student has nothing to undo and learns from its first sample at the full rate (the warm-up halves
   * the mean step over the first 1,280 samples, a third of what the mail student needs to 95%).
   */
  public static final int WARM_UP_STEPS = 20;
  /** Pruned weights are put back to zero every this many steps, and whenever weights are read. */
  static final int MASK_EVERY = 10;

  private final StudentSpec spec;
  private final int classes;
  private final LearnerOptions options;
  private final long seed;
  /** Replaced by restartFrom: a fresh model is the only way to a fresh optimizer in DJL. */
  private StudentNetwork network;
  /** A hashed n-gram student's embedding table, outside DJL (null for an MLP). */
  private final EmbeddingTable table;
  /** Whether the bags are read from the table's average: set while the averaged weights are in the block. */
  private boolean averagedBags;
  private DistillationMethod method;
  private DistillationLoss loss;
  private AlphaFade.Tracker fade;
  private StudentLearner selfTeacher;
  private final PruningMasks pruned = new PruningMasks();
  private long steps;
  private long nonFiniteSteps;
  private final GradientGuard guard = new GradientGuard();
  /** Fresh samples learned over the learner's life (restarts included): what the schedule reads. */
  private long trainedSamples;
  /** Whether the weights came from elsewhere (a version, a restart): then the first updates are warmed up. */
  private boolean warmUp;
  /**
   * Polyak averages of the block's parameters (null when not averaging); empty before the first
   * step and after a load.
   */
  private final PolyakAverage averaged;
  private final Replays replays;
  /**
   * An MLP's input scaling ({@link InputScaling}): decided at the first training step, null when the
   * vectors need none. The block trains on scaled inputs; {@link #weights} folds the scaling into the first
   * layer and {@link #load} unfolds it, so versions always read raw vectors.
   */
  private InputScaling scaling;
  private boolean scalingDecided;
  /** Whether weights were loaded before the scaling was decided: they read raw vectors until it is. */
  private boolean loadedUnscaled;

  /** A classic learner: the loss's T and α, one teacher or the mean of several. */
  public StudentLearner(StudentSpec spec, DistillationLoss loss, float learningRate, long seed) {
    this(spec, DistillationMethod.classic(loss.temperature(), loss.alpha()), learningRate, seed);
  }

  public StudentLearner(StudentSpec spec, DistillationMethod method, float learningRate, long seed) {
    this(spec, method, LearnerOptions.plain(learningRate), seed);
  }

  public StudentLearner(StudentSpec spec, DistillationMethod method, LearnerOptions options, long seed) {
    this.spec = spec;
    this.classes = spec.classes().size();
    this.options = options;
    this.seed = seed;
    this.replays = new Replays(options, seed);
    this.averaged = options.averaging() > 0 ? new PolyakAverage(options.averaging()) : null;
    this.table = spec instanceof NgramSpec ngram
        ? new EmbeddingTable(ngram.featurizer().buckets(), ngram.embeddingDim(),
            EmbeddingTable.Optimizer.of(options.embeddingOptimizer()), seed)
        : null;
    retune(method);
    this.network = build();
  }

  /** A network with fresh weights (from the seed) and a fresh optimizer. */
  private StudentNetwork build() {
    StudentNetwork built = StudentNetwork.build(spec, method.hintWeight() > 0 ? method.hintWidth() : 0, loss, rates(),
        seed);
    built.scaleInputs(scaling);
    return built;
  }

  /** At the first training step of a vector MLP: scales its inputs from now on if this batch's vectors call for it. */
  private void decideScaling(List<TrainingSample> batch) {
    // A structured-record student's features are standardised by its FieldSpec already.
    if (scalingDecided || !(spec instanceof MlpSpec mlp) || mlp.fields() != null) {
      return;
    }
    scalingDecided = true;
    scaling = InputScaling.estimate(batch.stream().map(TrainingSample::vector).toList(), mlp.inputSize());
    if (scaling == null) {
      return;
    }
    network.scaleInputs(scaling);
    if (loadedUnscaled) {
      // Loaded weights read raw vectors: re-expressed for scaled ones, the same function.
      scaling.unfoldFirstLayer(network.block().namedParameters());
    }
  }

  /**
   * The step size of a parameter at its n-th update: a linear warm-up over the first {@value
   * #WARM_UP_STEPS} when the weights were loaded, times the schedule's share after the samples
   * trained so far; the embedding table of an n-gram student has a rate of its own ({@link #tableRate}).
   */
  private ParameterTracker rates() {
    return (parameterId, update) -> rate(options.learningRate(), update);
  }

  private float tableRate() {
    return rate(options.embeddingRate(), (int) Math.min(Integer.MAX_VALUE, table.updates()));
  }

  private float rate(float base, int update) {
    float share = !warmUp || update >= WARM_UP_STEPS ? 1f
        : 1f / WARM_UP_STEPS + (1f - 1f / WARM_UP_STEPS) * update / WARM_UP_STEPS;
    return base * share * options.schedule().factor(trainedSamples);
  }

  public LearnerOptions options() {
    return options;
  }

  /**
   * Starts again from these weights with a fresh optimizer (and its warm-up), as if just resumed:
   * what was learned since they were taken is dropped. Pruned weights stay pruned. The hint
   * projection, which is never shipped, starts afresh.
   */
  public void restartFrom(StudentWeights weights) {
    weights.requireFits(spec);
    if (averaged != null) {
      averaged.clear(false); // their memory belongs to the old model
    }
    StudentNetwork old = network;
    network = build();
    old.close();
    if (table != null) {
      table.resetOptimizer();
    }
    load(weights);
    steps = 0;
    // What was replayed may be what made the candidates worse (a burst of bad labels).
    replays.clear();
    if (!pruned.isEmpty()) {
      applyMasks();
    }
  }

  public StudentSpec spec() {
    return spec;
  }

  public DistillationMethod method() {
    return method;
  }

  /** The loss of the next step: the method's T, and α where the fade has brought it. */
  public DistillationLoss loss() {
    return loss;
  }

  /**
   * Changes T and α (e.g. once automated tuning has chosen them). The hint's width cannot change:
   * its projection is part of the model.
   */
  public void retune(DistillationMethod method) {
    if (this.method != null && (method.hintWeight() > 0) != (this.method.hintWeight() > 0)) {
      throw new IllegalArgumentException("a learner cannot gain or lose its hint projection");
    }
    this.method = method;
    this.loss = new DistillationLoss(method.temperature(), method.alpha());
    this.fade = new AlphaFade.Tracker(method.fade(), method.alpha(), classes);
  }

  /**
   * Self-distillation: the student whose probabilities are mixed into the soft target with the
   * method's self weight (the version in service). Null for none. Not owned: the caller closes it.
   */
  public void selfTeacher(StudentLearner previous) {
    this.selfTeacher = previous;
  }

  /**
   * Where the fade has brought α: the loss's weight with {@link AlphaFade.Mix#WEIGHT}; with {@link
   * AlphaFade.Mix#TARGET} the weight stays and this much of the soft target of labelled samples has
   * become their ground truth: {@code 1 - alpha()/start}.
   */
  public float fadedAlpha() {
    return fade.alpha();
  }

  /** The teacher's accuracy the α fade measured on recent labelled samples (NaN before any). */
  public double measuredTeacherAccuracy() {
    return fade.teacherAccuracy();
  }

  /**
   * Scores the batch with the current weights (the prequential evaluation: before the student has
   * seen it), then learns from it with one optimizer step.
   */
  public StepResult trainStep(List<TrainingSample> batch) {
    decideScaling(batch);
    for (TrainingSample s : batch) {
      fade.observe(s);
    }
    float truthShare = applyFade();
    StepResult result = step(batch, truthShare, true);
    // Replay: extra steps, each on as many samples as the fresh batch, drawn from the buffer (not this batch).
    for (int i = replays.afterFresh(batch.size(), Double.isFinite(result.loss())); i > 0; i--) {
      step(replays.draw(batch.size()), truthShare, false);
    }
    replays.remember(batch);
    return result;
  }

  /**
   * One replayed step while the stream has nothing new ({@link LearnerOptions#idleReplayRatio}): a
   * batch the size of the last fresh one, drawn from the replay buffer.
   *
   * @return false, and no step, when the buffer is empty or the replayed steps have reached the idle
   *     replay ratio times the fresh ones
   */
  public boolean idleReplayStep() {
    int size = replays.nextIdleBatch();
    if (size == 0) {
      return false;
    }
    step(replays.draw(size), applyFade(), false);
    return true;
  }

  /** Optimizer steps so far: {@code {fresh, replayed (idle ones included), replayed while idle}}. */
  public long[] stepCounts() {
    return replays.counts();
  }

  /**
   * Sets the loss for where the fade has brought α; returns the share of ground truth in labelled
   * samples' soft targets (0 unless the fade mixes targets).
   */
  private float applyFade() {
    float alpha = fade.alpha();
    float truthShare = 0f;
    if (method.fade().mix() == AlphaFade.Mix.TARGET) {
      // The loss's weights stay where they started, and so does the scale of its gradients (which
      // Adam's second moment has learned); what moves is the soft target of labelled samples.
      alpha = method.alpha();
      truthShare = method.alpha() > 0 ? 1f - fade.alpha() / method.alpha() : 0f;
    }
    if (alpha != loss.alpha()) {
      loss = new DistillationLoss(method.temperature(), alpha);
    }
    return truthShare;
  }

  /**
   * One optimizer step on these samples; when they are {@code fresh}, the result scores them as the
   * student stood before the step, and they count for the schedule.
   */
  private StepResult step(List<TrainingSample> learned, float truthShare, boolean fresh) {
    List<TrainingSample> batch = learned;
    Trainer trainer = network.trainer();
    try (NDManager step = trainer.getManager().newSubManager()) {
      NDList inputs = network.inputs(step, learned, table, averagedBags);
      if (table != null) {
        inputs.head().setRequiresGradient(true);
      }
      int n = learned.size();
      float[] selfLogits = selfTeacher != null && method.selfWeight() > 0 ? selfTeacher.logits(learned) : null;
      float[] soft = StepTargets.soft(learned, method, classes, selfLogits, truthShare);
      NDList labels = StepTargets.labels(step, learned, soft, classes);
      NDArray embeddings = method.needsEmbedding() ? StepTargets.embeddings(step, learned) : null;
      float[] logits;
      double lossValue;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList out = trainer.forward(inputs);
        NDArray value = loss.evaluate(labels, new NDList(out.head()));
        if (embeddings != null && method.hintWeight() > 0 && embeddings.getShape().get(1) == method.hintWidth()) {
          value = value.add(Scalars.times(StudentNetwork.hintError(out.get(2), embeddings), method.hintWeight()));
        }
        if (embeddings != null && method.relationalWeight() > 0 && n >= 3) {
          value = value.add(Scalars.times(RelationalLoss.of(out.get(1), embeddings), method.relationalWeight()));
        }
        lossValue = value.getFloat();
        logits = out.head().toFloatArray();
        if (!Double.isFinite(lossValue)) {
          // One bad batch must not turn every weight into NaN: no update from it, and it is counted.
          nonFiniteSteps++;
          return StepResult.of(batch, argMaxes(logits, n), lossValue);
        }
        collector.backward(value);
        float[] tableGradient = table != null ? inputs.head().getGradient().toFloatArray() : null;
        if (!guard.admits(network.block(), tableGradient)) {
          return StepResult.of(batch, argMaxes(logits, n), lossValue);
        }
        if (table != null) {
          table.update(StudentNetwork.buckets(learned), tableGradient, tableRate());
        }
      }
      trainer.step();
      steps++;
      if (fresh) {
        trainedSamples += n;
      }
      if (!pruned.isEmpty() && steps % MASK_EVERY == 0) {
        applyMasks();
      }
      average();
      return StepResult.of(batch, argMaxes(logits, n), lossValue);
    }
  }

  /** A step of the Polyak average, when averaging: the block's parameters and the embedding table. */
  private void average() {
    if (averaged == null) {
      return;
    }
    float decay = averaged.step(network.block().namedParameters());
    if (table != null) {
      table.average(decay);
    }
  }

  /**
   * Runs {@code action} with the averaged weights in the block and the table's averages in the bags
   * (when averaging has any), then puts the live weights back: what is published and judged is the
   * average, what learns is the live.
   */
  private <T> T withAveraged(Supplier<T> action) {
    if (!averaging()) {
      return action.get();
    }
    averagedBags = true;
    try {
      return averaged.swappedIn(network.block().namedParameters(), action);
    } finally {
      averagedBags = false;
    }
  }

  private boolean averaging() {
    return averaged != null && !averaged.isEmpty();
  }

  /**
   * Magnitude pruning: sets the smallest {@code sparsity} share of each weight matrix (biases are
   * kept) to zero and keeps it there while training goes on, so the rest of the network adapts
   * (Zhu and Gupta 2017 raise the share gradually; the caller chooses the schedule). Sparsity only
   * grows: a weight once pruned stays pruned.
   */
  public void prune(double target) {
    if (pruned.grow(target, spec.parameterShapes().keySet(), this::liveValues)) {
      applyMasks();
    }
  }

  /** Batches whose loss or gradients were not finite, so that no update was made from them. */
  public long nonFiniteSteps() {
    return nonFiniteSteps + guard.nonFinite();
  }

  /** Batches whose gradient norm jumped a thousandfold ({@link GradientGuard}): no update was made from them. */
  public long gradientSpikes() {
    return guard.spikes();
  }

  /** The share of weights pruning holds at zero (0 when not pruning). */
  public double sparsity() {
    return pruned.sparsity();
  }

  private void applyMasks() {
    for (var entry : pruned.masks().entrySet()) {
      if (table != null && entry.getKey().equals(NgramSpec.EMBEDDING)) {
        table.mask(entry.getValue());
        continue;
      }
      NDArray array = network.block().namedParameters().get(entry.getKey()).getArray();
      float[] values = array.toFloatArray();
      Pruning.applyMask(values, entry.getValue());
      array.set(FloatBuffer.wrap(values));
    }
  }

  /**
   * The current student's logits for the samples (no learning), {@code (N * classes)} row-major:
   * the averaged weights' when averaging.
   */
  public float[] logits(List<TrainingSample> samples) {
    return withAveraged(() -> liveLogits(samples));
  }

  private float[] liveLogits(List<TrainingSample> samples) {
    return network.logits(samples, table, averagedBags);
  }

  /**
   * How far the student's representation is from the teacher's embeddings on these samples: the
   * hint's mean squared difference per dimension (NaN without a hint) and the relational loss (computed whether or
   * not the method trains on it). Both NaN when the samples carry no embeddings.
   *
   * @return {@code {hint, relational}}
   */
  public double[] representationErrors(List<TrainingSample> samples) {
    return network.representationErrors(samples, method, table);
  }

  /**
   * The current student's predicted class for each sample, in chunks of {@code chunk}: the averaged
   * weights' when averaging.
   */
  public int[] predictions(List<TrainingSample> samples, int chunk) {
    return predict(samples, chunk).classes();
  }

  /**
   * The current student's predicted class and its probability (softmax at temperature 1, as the edge
   * answers) for each sample, in chunks of {@code chunk}: the averaged weights' when averaging.
   */
  public Predictions predict(List<TrainingSample> samples, int chunk) {
    return withAveraged(() -> {
      int[] predicted = new int[samples.size()];
      float[] confidence = new float[samples.size()];
      for (int from = 0; from < samples.size(); from += chunk) {
        List<TrainingSample> part = samples.subList(from, Math.min(samples.size(), from + chunk));
        float[] logits = liveLogits(part);
        for (int i = 0; i < part.size(); i++) {
          int best = Softmax.argMax(logits, i * classes, classes);
          predicted[from + i] = best;
          confidence[from + i] = Softmax.probability(logits, i * classes, classes, best);
        }
      }
      return new Predictions(predicted, confidence);
    });
  }

  /**
   * Scores the samples with the current weights, without learning (held-out evaluation), in chunks
   * of {@code chunk}; the result's loss is NaN.
   */
  public StepResult evaluate(List<TrainingSample> samples, int chunk) {
    return StepResult.of(samples, predictions(samples, chunk), Double.NaN);
  }

  /**
   * The current weights (pruned ones exactly zero), copied out, in the shared format: the averaged
   * weights when averaging, which is what a candidate publishes.
   */
  public StudentWeights weights() {
    if (!pruned.isEmpty()) {
      applyMasks();
    }
    StudentWeights weights = new StudentWeights();
    for (var entry : spec.parameterShapes().entrySet()) {
      float[] values;
      if (table != null && entry.getKey().equals(NgramSpec.EMBEDDING)) {
        values = averaging() ? table.averagedCopy() : table.values().clone();
      } else {
        NDArray mean = averaging() ? averaged.mean(entry.getKey()) : null;
        values = (mean != null ? mean : network.block().namedParameters().get(entry.getKey()).getArray())
            .toFloatArray();
      }
      pruned.apply(entry.getKey(), values);
      weights.put(entry.getKey(), entry.getValue(), values);
    }
    if (scaling != null) {
      scaling.foldFirstLayer(weights); // in place: the arrays are the copies just made
    }
    return weights;
  }

  /** Replaces the weights (e.g. with the last published version's, on restart); the average starts again from them. */
  public void load(StudentWeights weights) {
    weights.requireFits(spec);
    if (averaged != null) {
      averaged.clear(true);
    }
    warmUp = true;
    for (Map.Entry<String, Parameter> entry : network.block().namedParameters().entrySet()) {
      entry.getValue().getArray().set(FloatBuffer.wrap(weights.get(entry.getKey()).values()));
    }
    // Versions read raw vectors; once the scaling is decided the block reads scaled ones.
    loadedUnscaled = scaling == null;
    if (scaling != null) {
      scaling.unfoldFirstLayer(network.block().namedParameters());
    }
    if (table != null) {
      table.load(weights.get(NgramSpec.EMBEDDING).values());
    }
  }

  /** The live values of a spec parameter, copied out. */
  private float[] liveValues(String name) {
    return table != null && name.equals(NgramSpec.EMBEDDING) ? table.values().clone()
        : network.block().namedParameters().get(name).getArray().toFloatArray();
  }

  /** The arg max of each row of {@code (n * classes)} row-major logits. */
  private int[] argMaxes(float[] logits, int n) {
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      predicted[i] = Softmax.argMax(logits, i * classes, classes);
    }
    return predicted;
  }

  @Override
  public void close() {
    network.close();
  }
}
