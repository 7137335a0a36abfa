package io.streamdistill.demo;

import io.streamdistill.datasets.Example;
import io.streamdistill.student.Softmax;
import io.streamdistill.teacher.model.BatchAnswers;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The teacher alone on the requests a demo run asked: the baseline the cascade's accuracy is
 * compared with, and a note when that teacher is no better than always answering the most common
 * class. Stateless.
 */
final class TeacherBaseline {
  private TeacherBaseline() {}

  /**
   * The teacher alone on the request examples the edge was asked: the baseline the cascade's accuracy is
   * compared with (the requests are a sample of the test split, the teacher's own test accuracy is on all of it).
   */
  static void score(Teacher teacher, List<Example> examples, DemoRecorder recorder,
      Consumer<String> progress) {
    int[] asked = recorder.askedExamples();
    if (asked.length == 0) {
      return;
    }
    progress.accept(String.format(Locale.ROOT, "Scoring the teacher alone on the %,d request examples asked...",
        asked.length));
    boolean[] right = new boolean[examples.size()];
    String[] labels = new String[examples.size()];
    List<String> classes = teacher.descriptor().classes();
    long refused = 0;
    try (TeacherPredictor predictor = teacher.newPredictor()) {
      for (int from = 0; from < asked.length; from += 64) {
        List<TeacherInput> batch = new ArrayList<>();
        for (int k = from; k < Math.min(asked.length, from + 64); k++) {
          Example e = examples.get(asked[k]);
          batch.add(new TeacherInput(e.text(), e.vector(), e.fields()));
        }
        // Each input alone where the teacher refuses the batch, as the labeller does (an outage fails the whole).
        BatchAnswers answers = BatchAnswers.ask(predictor, batch);
        refused += answers.failed();
        for (int k = 0; k < batch.size(); k++) {
          Example e = examples.get(asked[from + k]);
          Prediction p = answers.predictions().get(k);
          labels[asked[from + k]] = p == null ? null : classes.get(Softmax.argMax(p.logits()));
          right[asked[from + k]] = p != null && labels[asked[from + k]].equals(e.label());
        }
      }
    } catch (RuntimeException e) {
      // A baseline for the report, not the run (a remote teacher down now): say so and go on without it.
      progress.accept("Could not score the teacher alone on the requests: " + e.getMessage());
      return;
    }
    recorder.teacherAlone(labels, right, refused);
    String useless = uselessTeacherNote(asked, examples, right);
    if (useless != null) {
      progress.accept(useless);
    }
  }

  /**
   * A note when the teacher alone is right no more often than always answering the most common class of
   * the requests asked would be (train-teacher warns of the same on its test split), or null.
   */
  static String uselessTeacherNote(int[] asked, List<Example> examples, boolean[] right) {
    Map<String, Integer> counts = new HashMap<>();
    int labelled = 0;
    int correct = 0;
    for (int index : asked) {
      String label = examples.get(index).label();
      if (label != null) {
        counts.merge(label, 1, Integer::sum);
        labelled++;
        correct += right[index] ? 1 : 0;
      }
    }
    if (labelled < 20) {
      return null;
    }
    Map.Entry<String, Integer> common = Collections.max(counts.entrySet(), Map.Entry.comparingByValue());
    if (correct > common.getValue()) {
      return null;
    }
    return String.format(Locale.ROOT, "Note: the teacher alone is right on %.1f%% of the requests, no better than"
        + " always answering '%s' (%.1f%% of them): a student learns little from it; check --label-column and what"
        + " the examples carry.", 100.0 * correct / labelled, common.getKey(), 100.0 * common.getValue() / labelled);
  }
}
