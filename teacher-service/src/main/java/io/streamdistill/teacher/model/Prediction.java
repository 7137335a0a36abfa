package io.streamdistill.teacher.model;

/**
 * A teacher's output for one input.
 *
 * @param logits one unnormalised score per class, in the descriptor's class order
 * @param embedding the teacher's embedding of the input, or null when it has none
 */
public record Prediction(float[] logits, float[] embedding) {}
