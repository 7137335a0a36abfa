package io.streamdistill.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import java.util.HashMap;
import java.util.Map;

/**
 * Adam for every parameter but, optionally, one: the hashed n-gram embedding table, which Adagrad
 * updates instead. In a hashed bag of n-grams most rows get a gradient in a handful of steps over
 * the whole stream; Adagrad's per-entry accumulator is still small for them, so their first
 * gradients take nearly full steps, while frequent rows slow down.
 *
 * <p>Not thread-safe: the learner's. The Adagrad accumulator lives with the weight it belongs to.
 */
final class StudentOptimizer extends Optimizer {
  private static final float ADAGRAD_EPSILON = 1e-8f;

  private final Adam adam;
  private final String adagradParameter;
  private final ParameterTracker rates;
  private final Map<String, NDArray> accumulators = new HashMap<>();

  /**
   * @param rates the step size of each parameter id at each update (the learner's warm-up and
   *     schedule)
   * @param adagradParameter the id of the parameter Adagrad updates, or null for Adam everywhere
   */
  StudentOptimizer(ParameterTracker rates, String adagradParameter) {
    super(new Builder());
    this.rates = rates;
    this.adam = Optimizer.adam().optLearningRateTracker(rates).build();
    this.adagradParameter = adagradParameter;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    if (!parameterId.equals(adagradParameter)) {
      adam.update(parameterId, weight, grad);
      return;
    }
    // PyTorch's grad mode is per thread and on in a new one; DJL's gradient collector puts back what it
    // found, so on a thread that never had it turned off (the trainer's) the in-place update of a weight that
    // requires grad is refused. Adam's update is one fused native call; this one needs grad mode off.
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      adagrad(parameterId, weight, grad);
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  private void adagrad(String parameterId, NDArray weight, NDArray grad) {
    float rate = rates.getNewValue(parameterId, updateCount(parameterId));
    NDArray sum = accumulators.computeIfAbsent(parameterId, id -> weight.zerosLike());
    // Temporaries closed at once: this runs once per step on a 4-million-entry table.
    try (NDArray squared = grad.square()) {
      sum.addi(squared);
    }
    try (NDArray root = sum.sqrt()) {
      root.addi(ADAGRAD_EPSILON);
      try (NDArray step = grad.div(root)) {
        weight.subi(step.muli(rate));
      }
    }
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
