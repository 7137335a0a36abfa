package io.streamdistill.trainer.model;

/**
 * What a batch showed before the student learned from it (prequential evaluation), and the loss.
 *
 * @param samples the batch size
 * @param agreed samples on which the student's arg max was the teachers'
 * @param labelled samples with ground truth
 * @param correct labelled samples the student got right
 * @param loss the batch's mean loss
 */
public record StepResult(int samples, int agreed, int labelled, int correct, double loss) {
  /** Share of the samples on which the student agreed with the teachers (NaN for none). */
  public double agreement() {
    return samples == 0 ? Double.NaN : (double) agreed / samples;
  }

  /** Share of the labelled samples the student got right (NaN for none). */
  public double accuracy() {
    return labelled == 0 ? Double.NaN : (double) correct / labelled;
  }
}
