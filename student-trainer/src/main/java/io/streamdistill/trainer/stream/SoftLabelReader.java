package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.student.DenseFeaturizer;
import io.streamdistill.student.InputMismatchException;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.model.TrainingSample;
import java.util.List;
import java.util.Set;

/**
 * Turns a soft label into a {@link TrainingSample}, or says why it must not be learned from: classes
 * that are not the student's, a teacher that is not known, logits of the wrong width or not finite,
 * an input that does not fit the student (the shared featurizer decides), an unknown ground-truth
 * class. Several teachers are combined by the mean of their probabilities. Immutable and
 * thread-safe.
 */
public final class SoftLabelReader {
  private final StudentSpec spec;
  private final float temperature;
  private final Set<String> knownTeachers;
  private final DenseFeaturizer dense;
  private final NgramFeaturizer ngrams;

  /**
   * @param knownTeachers teacher ids to learn from; empty to accept every teacher
   */
  public SoftLabelReader(StudentSpec spec, float temperature, Set<String> knownTeachers) {
    this.spec = spec;
    this.temperature = temperature;
    this.knownTeachers = Set.copyOf(knownTeachers);
    this.dense = spec instanceof MlpSpec mlp ? new DenseFeaturizer(mlp.inputSize()) : null;
    this.ngrams = spec instanceof NgramSpec ngram ? new NgramFeaturizer(ngram.featurizer()) : null;
  }

  /** A late label has no teacher output: nothing to learn from, but nothing wrong either. */
  public static boolean isLateLabel(SoftLabel label) {
    return label.getEvent().getKind() == EventKind.LATE_LABEL;
  }

  public TrainingSample read(SoftLabel label) throws BadSoftLabelException {
    List<String> classes = spec.classes();
    if (!classes.equals(label.getClasses())) {
      throw new BadSoftLabelException("classes " + label.getClasses() + " are not the student's " + classes);
    }
    List<TeacherOutput> teachers = label.getTeachers();
    if (teachers.isEmpty()) {
      throw new BadSoftLabelException("no teacher output");
    }
    int c = classes.size();
    float[] soft = new float[c];
    float[] hard = new float[c];
    for (TeacherOutput teacher : teachers) {
      if (!knownTeachers.isEmpty() && !knownTeachers.contains(teacher.getTeacherId())) {
        throw new BadSoftLabelException("unknown teacher '" + teacher.getTeacherId() + "' (known: "
            + knownTeachers + ")");
      }
      List<Float> logits = teacher.getLogits();
      if (logits.size() != c) {
        throw new BadSoftLabelException("teacher " + teacher.getTeacherId() + " gave " + logits.size()
            + " logits, the student has " + c + " classes");
      }
      float[] z = new float[c];
      for (int i = 0; i < c; i++) {
        z[i] = logits.get(i);
        if (!Float.isFinite(z[i])) {
          throw new BadSoftLabelException("teacher " + teacher.getTeacherId() + " logit " + i + " is " + z[i]);
        }
      }
      float[] pT = Softmax.probabilities(z, temperature);
      float[] p1 = Softmax.probabilities(z, 1f);
      for (int i = 0; i < c; i++) {
        soft[i] += pT[i] / teachers.size();
        hard[i] += p1[i] / teachers.size();
      }
    }
    InputEvent event = label.getEvent();
    int groundTruth = -1;
    if (event.getLabel() != null) {
      groundTruth = classes.indexOf(event.getLabel());
      if (groundTruth < 0) {
        throw new BadSoftLabelException("ground-truth label '" + event.getLabel() + "' is not one of " + classes);
      }
    }
    try {
      float[] vector = null;
      int[] buckets = null;
      if (dense != null) {
        vector = dense.features(AvroValues.floats(event.getVector()));
      } else {
        buckets = ngrams.features(event.getText());
      }
      List<Float> embedding = teachers.get(0).getEmbedding();
      return new TrainingSample(vector, buckets, soft, Softmax.argMax(hard), groundTruth,
          AvroValues.floats(embedding));
    } catch (InputMismatchException e) {
      throw new BadSoftLabelException("input does not fit the student: " + e.getMessage());
    }
  }
}
