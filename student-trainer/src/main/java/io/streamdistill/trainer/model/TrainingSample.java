package io.streamdistill.trainer.model;

/**
 * One soft label, ready to learn from: the student's features of the input and what the teachers
 * said. Immutable (the arrays are not copied and must not be changed).
 *
 * @param vector the dense features (vector students), else null
 * @param buckets the n-gram bucket ids (text students), else null
 * @param teacherSoft the teachers' combined distribution at the training temperature
 * @param teacherClass the teachers' combined arg max at temperature 1
 * @param label the ground-truth class index, or -1 when the event has none
 * @param teacherEmbedding the first teacher's embedding when the soft label carries one, else null
 */
public record TrainingSample(float[] vector, int[] buckets, float[] teacherSoft, int teacherClass, int label,
    float[] teacherEmbedding) {
  /** The class the hard term of the loss learns: ground truth when known, else the teacher's. */
  public int hardTarget() {
    return label >= 0 ? label : teacherClass;
  }
}
