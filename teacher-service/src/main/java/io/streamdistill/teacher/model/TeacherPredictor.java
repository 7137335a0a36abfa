package io.streamdistill.teacher.model;

import java.util.List;

/**
 * Runs a teacher on micro-batches: one model call per {@link #predict} call, never one per input.
 * Not thread-safe: one per thread or stream task.
 */
public interface TeacherPredictor extends AutoCloseable {

  /**
   * The predictions for a batch, in the order of the inputs.
   *
   * @throws TeacherException if the model fails on the batch
   */
  List<Prediction> predict(List<TeacherInput> batch);

  @Override
  void close();
}
