package io.streamdistill.teacher.generic;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Teacher} over a loaded DJL {@link Model} that takes dense vectors: each
 * {@link TeacherPredictor#predict} stacks the micro-batch into one {@code (N, vectorWidth)} float32
 * array, runs the model once (inference mode: no dropout, no gradient), and reads output 0 as the
 * {@code (N, classes)} logits and, when the descriptor declares an embedding, output 1 as the
 * {@code (N, embeddingWidth)} embedding. Any other shape is a {@link TeacherException}, never a
 * silently misread array.
 *
 * <pre>{@code
 * try (Teacher teacher = new DjlVectorTeacher(model, descriptor);   // owns the model from here on
 *     TeacherPredictor predictor = teacher.newPredictor()) {        // one per thread
 *   List<Prediction> out = predictor.predict(List.of(TeacherInput.ofVector(pixels)));
 * }
 * }</pre>
 *
 * <p>Ownership: the teacher owns the model and closes it; each predictor owns one DJL
 * {@link Predictor} and, per call, a native-memory scope that is freed when the call returns. The
 * teacher is thread-safe (the weights are shared, read only); a predictor is not.
 */
public final class DjlVectorTeacher implements Teacher {
  private static final Logger LOGGER = LoggerFactory.getLogger(DjlVectorTeacher.class);

  private final Model model;
  private final TeacherDescriptor descriptor;
  private final VectorBatchTranslator translator;
  private final Set<VectorPredictor> openPredictors = ConcurrentHashMap.newKeySet();
  private boolean closed;

  /**
   * Wraps {@code model}, which this teacher owns and closes from now on.
   *
   * @throws TeacherException when the descriptor is not for vector input
   */
  public DjlVectorTeacher(Model model, TeacherDescriptor descriptor) {
    this.model = Objects.requireNonNull(model, "model");
    this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
    if (descriptor.takesText()) {
      throw new TeacherException("teacher " + descriptor.id() + " takes text, but a " + descriptor.kind()
          + " teacher takes vectors (set \"input\": \"vector\" and \"vectorWidth\" in teacher.json)");
    }
    this.translator = new VectorBatchTranslator(descriptor);
  }

  @Override
  public TeacherDescriptor descriptor() {
    return descriptor;
  }

  /** The DJL model, for the owner's own use (saving it, reading its parameters); do not close it. */
  public Model model() {
    return model;
  }

  @Override
  public synchronized TeacherPredictor newPredictor() {
    if (closed) {
      throw new TeacherException("teacher " + descriptor.id() + " is closed");
    }
    VectorPredictor predictor = new VectorPredictor(model.newPredictor(translator));
    openPredictors.add(predictor);
    return predictor;
  }

  /**
   * Runs one all-zero input through a fresh predictor, so that a model that does not take
   * {@code (N, vectorWidth)} or does not return the declared shapes fails when it is loaded, with
   * the reason, rather than on the first batch of the stream. It also pays the first call's cost
   * (TorchScript profiles and optimises its graph on the first runs) before traffic arrives.
   *
   * @throws TeacherException saying what the model did wrong
   */
  public void warmUp() {
    try (TeacherPredictor predictor = newPredictor()) {
      predictor.predict(List.of(TeacherInput.ofVector(new float[descriptor.vectorWidth()])));
    }
  }

  /** Closes the model; a predictor still open is closed first (its owner should have done it). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!openPredictors.isEmpty()) {
      LOGGER.atWarn().addKeyValue("teacherId", descriptor.id()).addKeyValue("openPredictors", openPredictors.size())
          .log("teacher closed while predictors were open; closing them");
      for (VectorPredictor predictor : new ArrayList<>(openPredictors)) {
        predictor.close();
      }
    }
    model.close();
  }

  /** One DJL predictor; not thread-safe, as DJL's is not. */
  private final class VectorPredictor implements TeacherPredictor {
    private final Predictor<List<TeacherInput>, List<Prediction>> predictor;
    private boolean predictorClosed;

    VectorPredictor(Predictor<List<TeacherInput>, List<Prediction>> predictor) {
      this.predictor = predictor;
    }

    @Override
    public List<Prediction> predict(List<TeacherInput> batch) {
      Objects.requireNonNull(batch, "batch");
      if (predictorClosed) {
        throw new TeacherException("predictor of teacher " + descriptor.id() + " is closed");
      }
      if (batch.isEmpty()) {
        return List.of();
      }
      try {
        // One call for the whole batch: the translator stacks it into a single array.
        return predictor.predict(batch);
      } catch (TranslateException e) {
        throw failure(batch.size(), e);
      } catch (RuntimeException e) {
        // DJL's EngineException and the native libraries' errors: the batch failed, the stream goes on.
        throw failure(batch.size(), e);
      }
    }

    private TeacherException failure(int batchSize, Exception e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof TeacherException)) {
        cause = cause.getCause();
      }
      String reason = cause != null ? cause.getMessage() : EngineMessages.of(e);
      return new TeacherException("teacher " + descriptor.id() + " (version " + descriptor.version()
          + ") failed on a batch of " + batchSize + ": " + reason, e);
    }

    @Override
    public void close() {
      if (!predictorClosed) {
        predictorClosed = true;
        openPredictors.remove(this);
        predictor.close();
      }
    }
  }
}
