package io.streamdistill.trainer.model;

/**
 * A student's answers on a list of samples, in the samples' order.
 *
 * @param classes the predicted class of each sample
 * @param confidences the predicted class's probability (softmax at temperature 1, as the edge computes it)
 */
public record Predictions(int[] classes, float[] confidences) {
  public Predictions {
    if (classes.length != confidences.length) {
      throw new IllegalArgumentException(classes.length + " classes but " + confidences.length + " confidences");
    }
  }
}
