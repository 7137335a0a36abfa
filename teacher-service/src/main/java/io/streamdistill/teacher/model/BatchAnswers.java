package io.streamdistill.teacher.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A teacher's answers to a batch, input by input: a prediction, or (null in its place) why the
 * teacher failed on that input. Immutable.
 *
 * @param predictions per input, its prediction or null
 * @param failures per input, null or why the teacher failed on it
 * @param inOneCall whether the whole batch was answered in one model call
 */
public record BatchAnswers(List<Prediction> predictions, List<String> failures, boolean inOneCall) {

  /**
   * Asks for the batch in one call; if the teacher fails on it, asks for each input alone, so that
   * one input that breaks the model (or that a remote server refuses) fails alone and the others
   * are answered. An outage ({@link TeacherUnavailableException}) is nobody's input's fault: it
   * fails the whole, not an input.
   */
  public static BatchAnswers ask(TeacherPredictor predictor, List<TeacherInput> inputs) {
    try {
      List<Prediction> predictions = predictor.predict(inputs);
      return new BatchAnswers(predictions, Collections.nCopies(predictions.size(), null), true);
    } catch (TeacherUnavailableException outage) {
      throw outage;
    } catch (RuntimeException batchFailure) {
      List<Prediction> predictions = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      for (TeacherInput input : inputs) {
        try {
          predictions.add(predictor.predict(List.of(input)).get(0));
          failures.add(null);
        } catch (TeacherUnavailableException outage) {
          throw outage;
        } catch (RuntimeException e) {
          predictions.add(null);
          failures.add(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
      }
      return new BatchAnswers(Collections.unmodifiableList(predictions), Collections.unmodifiableList(failures),
          false);
    }
  }

  /** How many inputs the teacher failed on. */
  public long failed() {
    return predictions.stream().filter(p -> p == null).count();
  }
}
