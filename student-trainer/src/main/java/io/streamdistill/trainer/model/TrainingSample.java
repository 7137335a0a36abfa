package io.streamdistill.trainer.model;

/**
 * One soft label, ready to learn from: the student's features of the input and what the teachers
 * said. Immutable (the arrays are not copied and must not be changed).
 *
 * @param vector the dense features (vector students), else null
 * @param buckets the n-gram bucket ids (text students), else null
 * @param teacherLogits each teacher's logits (at temperature 1); the learner combines them at its
 *     own temperature, so that T can be tuned without reading the stream again
 * @param teacherClass the teachers' combined arg max at temperature 1
 * @param label the ground-truth class index, or -1 when the event has none
 * @param teacherEmbedding the first teacher's embedding when the soft label carries one, else null
 */
public record TrainingSample(float[] vector, int[] buckets, float[][] teacherLogits, int teacherClass, int label,
    float[] teacherEmbedding) {
  /** The class the hard term of the loss learns: ground truth when known, else the teacher's. */
  public int hardTarget() {
    return label >= 0 ? label : teacherClass;
  }

  /**
   * Logits of one teacher whose distribution at temperature 1 is {@code probabilities}: their logs
   * (a zero probability becomes a very negative logit).
   */
  public static float[][] logitsOf(float[] probabilities) {
    float[] logits = new float[probabilities.length];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = probabilities[i] > 0 ? (float) Math.log(probabilities[i]) : -1e4f;
    }
    return new float[][] {logits};
  }
}
