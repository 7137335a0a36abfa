package io.streamdistill.trainer.model;

import java.util.List;

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
  /** The score of the predicted classes against each sample's teacher class and ground truth. */
  public static StepResult of(List<TrainingSample> samples, int[] predicted, double loss) {
    int agreed = 0;
    int labelled = 0;
    int correct = 0;
    for (int i = 0; i < samples.size(); i++) {
      TrainingSample s = samples.get(i);
      if (predicted[i] == s.teacherClass()) {
        agreed++;
      }
      if (s.label() >= 0) {
        labelled++;
        if (predicted[i] == s.label()) {
          correct++;
        }
      }
    }
    return new StepResult(samples.size(), agreed, labelled, correct, loss);
  }

  /** Churn: the share of inputs whose predicted class differs between two students' predictions. */
  public static double churn(int[] before, int[] after) {
    int changed = 0;
    for (int i = 0; i < before.length; i++) {
      if (before[i] != after[i]) {
        changed++;
      }
    }
    return (double) changed / before.length;
  }

  /** Share of the samples on which the student agreed with the teachers (NaN for none). */
  public double agreement() {
    return samples == 0 ? Double.NaN : (double) agreed / samples;
  }

  /** Share of the labelled samples the student got right (NaN for none). */
  public double accuracy() {
    return labelled == 0 ? Double.NaN : (double) correct / labelled;
  }
}
