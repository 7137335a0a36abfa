package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.DenseFeaturizer;
import io.streamdistill.student.FieldFeaturizer;
import io.streamdistill.student.InputMismatchException;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.model.TeacherCombination;
import io.streamdistill.trainer.model.TrainingSample;
import java.util.List;
import java.util.Set;

/**
 * Turns a soft label into a {@link TrainingSample}, or says why it must not be learned from: classes
 * that are not the student's, a teacher that is not known, logits of the wrong width or not finite,
 * an input that does not fit the student (the shared featurizer decides), an unknown ground-truth
 * class, a missing or wrongly sized embedding where the method needs one. Each teacher's logits are
 * kept; the learner combines them. Immutable and thread-safe.
 */
public final class SoftLabelReader {
  private final StudentSpec spec;
  private final TeacherCombination combination;
  private final int embeddingWidth;
  private final Set<String> knownTeachers;
  private final DenseFeaturizer dense;
  private final NgramFeaturizer ngrams;
  private final FieldFeaturizer fields;

  /** A reader for classic distillation: the mean of the teachers, no embedding needed. */
  public SoftLabelReader(StudentSpec spec, Set<String> knownTeachers) {
    this(spec, TeacherCombination.MEAN, -1, knownTeachers);
  }

  /**
   * @param combination how the teachers' arg max (the class agreement is measured on) is taken
   * @param embeddingWidth the width every soft label's embedding must have (hint or relational
   *     distillation), 0 for any width but present, -1 when no embedding is needed
   * @param knownTeachers teacher ids to learn from; empty to accept every teacher
   */
  public SoftLabelReader(StudentSpec spec, TeacherCombination combination, int embeddingWidth,
      Set<String> knownTeachers) {
    this.spec = spec;
    this.combination = combination;
    this.embeddingWidth = embeddingWidth;
    this.knownTeachers = Set.copyOf(knownTeachers);
    this.dense = spec instanceof MlpSpec mlp && mlp.fields() == null ? new DenseFeaturizer(mlp.inputSize())
        : spec instanceof ConvSpec conv ? new DenseFeaturizer(conv.inputSize()) : null;
    this.fields = spec instanceof MlpSpec mlp && mlp.fields() != null ? new FieldFeaturizer(mlp.fields()) : null;
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
    float[][] all = new float[teachers.size()][];
    for (int k = 0; k < all.length; k++) {
      TeacherOutput teacher = teachers.get(k);
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
      all[k] = z;
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
      } else if (fields != null) {
        // A structured student learns from the same features the edge computes.
        vector = fields.featurize(event.getStructured());
      } else {
        buckets = ngrams.features(event.getText());
      }
      // Copied out only where a term reads it (an MNIST teacher's is 1,200 floats a label).
      float[] embedding = embeddingWidth < 0 ? null : AvroValues.floats(teachers.get(0).getEmbedding());
      if (embeddingWidth >= 0 && embedding == null) {
        throw new BadSoftLabelException("no teacher embedding, which hint and relational distillation need"
            + " (is the teacher service running with --no-embeddings?)");
      }
      if (embeddingWidth > 0 && embedding.length != embeddingWidth) {
        throw new BadSoftLabelException("teacher embedding of width " + embedding.length + ", the hint needs "
            + embeddingWidth);
      }
      return new TrainingSample(vector, buckets, all, combination.argMax(all), groundTruth, embedding);
    } catch (InputMismatchException e) {
      throw new BadSoftLabelException("input does not fit the student: " + e.getMessage());
    }
  }
}
