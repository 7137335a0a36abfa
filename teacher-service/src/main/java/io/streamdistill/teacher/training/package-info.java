/**
 * {@code train-teacher}: a teacher from any labelled data set, the model chosen by the payload.
 * {@link io.streamdistill.teacher.training.TeacherTraining} keeps a test split apart by a hash of
 * each example's id ({@link io.streamdistill.teacher.training.TestSplit}), sends text to the text
 * trainer (frozen encoder plus head), and trains dense vectors, images and structured records here
 * with DJL/PyTorch: an MLP (ReLU, dropout), or for images optionally a small CNN; records are
 * featurized by the student's own {@code FieldFeaturizer} over a {@code FieldSpec} fitted on the
 * train split. The result is a verified teacher directory of kind {@code dense-mlp}, which
 * {@link io.streamdistill.teacher.training.DenseTeacherLoader} serves (one forward pass per
 * micro-batch, the last hidden layer as the embedding);
 * {@link io.streamdistill.teacher.training.TrainTeacherCommand} is the command line.
 */
package io.streamdistill.teacher.training;
