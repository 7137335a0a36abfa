/**
 * The student, in plain Java, shared by the trainer and the edge node so that training and serving
 * cannot disagree: the architecture spec ({@link io.streamdistill.student.StudentSpec}), the
 * featurizers (of vectors, text, and structured records: {@link io.streamdistill.student.FieldSpec},
 * {@link io.streamdistill.student.FieldFeaturizer}), the weight formats
 * ({@link io.streamdistill.student.StudentWeights}, float32, and
 * {@link io.streamdistill.student.QuantizedWeights}, int8 per output channel), inference, float or
 * int8 ({@link io.streamdistill.student.StudentModel}), magnitude pruning
 * ({@link io.streamdistill.student.Pruning}) and the signing and verification of published
 * versions ({@link io.streamdistill.student.VersionSigner}, {@link io.streamdistill.student.VersionVerifier}).
 *
 * <p>No DJL and no native code: the edge node runs on this alone. The trainer builds its DJL
 * blocks from the same spec, with the same parameter names and shapes
 * ({@link io.streamdistill.student.StudentSpec#parameterShapes()}).
 */
package io.streamdistill.student;
