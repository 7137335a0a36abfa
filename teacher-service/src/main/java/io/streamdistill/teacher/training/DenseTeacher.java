package io.streamdistill.teacher.training;

import ai.djl.Model;
import io.streamdistill.teacher.generic.DjlVectorTeacher;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code dense-mlp} teacher: its {@link InputFeatures} turn each input of a micro-batch into the
 * network's row, and a {@link DjlVectorTeacher} runs the network once for the whole batch (logits
 * and the last hidden layer as the embedding).
 *
 * <p>Owns the model (through the vector teacher) and closes it. Thread-safe; its predictors are not.
 */
final class DenseTeacher implements Teacher {
  private final TeacherDescriptor descriptor;
  private final InputFeatures features;
  private final DjlVectorTeacher network;

  /** Wraps {@code model}, which this teacher owns from now on. */
  DenseTeacher(Model model, TeacherDescriptor descriptor, InputFeatures features) {
    this.descriptor = descriptor;
    this.features = features;
    // The network itself reads vectors of the features' width, whatever the teacher's own input is.
    TeacherDescriptor network = new TeacherDescriptor(descriptor.id(), descriptor.version(), descriptor.kind(),
        descriptor.classes(), TeacherDescriptor.VECTOR, features.width(), descriptor.embeddingWidth(),
        descriptor.files(), descriptor.metrics(), descriptor.options());
    this.network = new DjlVectorTeacher(model, network);
  }

  @Override
  public TeacherDescriptor descriptor() {
    return descriptor;
  }

  /** Runs one all-zero row, so that parameters that do not fit the network fail at load time. */
  void warmUp() {
    network.warmUp();
  }

  @Override
  public TeacherPredictor newPredictor() {
    TeacherPredictor predictor = network.newPredictor();
    return new TeacherPredictor() {
      @Override
      public List<Prediction> predict(List<TeacherInput> batch) {
        List<TeacherInput> rows = new ArrayList<>(batch.size());
        for (TeacherInput input : batch) {
          rows.add(TeacherInput.ofVector(features.apply(input)));
        }
        return predictor.predict(rows);
      }

      @Override
      public void close() {
        predictor.close();
      }
    };
  }

  @Override
  public void close() {
    network.close();
  }
}
