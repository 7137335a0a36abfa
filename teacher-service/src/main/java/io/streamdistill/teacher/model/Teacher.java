package io.streamdistill.teacher.model;

/**
 * A loaded teacher model. Loaded once per process (the weights are shared); each thread or stream
 * task that runs inference takes its own {@link TeacherPredictor}, as DJL wants ("a predictor per
 * thread"). Thread-safe; closing it frees the model, after every predictor is closed.
 */
public interface Teacher extends AutoCloseable {

  TeacherDescriptor descriptor();

  /** A new predictor, owned (and closed) by the caller. */
  TeacherPredictor newPredictor();

  @Override
  void close();
}
