package io.streamdistill.trainer.stream;

import io.streamdistill.trainer.model.StepResult;
import java.util.ArrayDeque;

/**
 * Prequential scores over the last {@code capacity} trained samples (whole batches): agreement with
 * the teachers and accuracy where ground truth was known, each batch scored before it was learned.
 * Not thread-safe.
 */
final class SlidingScore {
  private final int capacity;
  private final ArrayDeque<StepResult> batches = new ArrayDeque<>();
  private long samples;
  private long agreed;
  private long labelled;
  private long correct;

  SlidingScore(int capacity) {
    this.capacity = capacity;
  }

  void add(StepResult result) {
    batches.addLast(result);
    samples += result.samples();
    agreed += result.agreed();
    labelled += result.labelled();
    correct += result.correct();
    while (samples - batches.peekFirst().samples() >= capacity) {
      StepResult old = batches.removeFirst();
      samples -= old.samples();
      agreed -= old.agreed();
      labelled -= old.labelled();
      correct -= old.correct();
    }
  }

  double agreement() {
    return samples == 0 ? Double.NaN : (double) agreed / samples;
  }

  double accuracy() {
    return labelled == 0 ? Double.NaN : (double) correct / labelled;
  }
}
