package io.streamdistill.producers;

/** Whether and when the ground-truth label of an example travels with its event. */
public enum LabelPolicy {
  /** Every event carries its label. */
  ALWAYS,
  /** No event carries a label: the teacher's arg max is all the trainer gets. */
  NEVER,
  /**
   * As ground truth arrives in production: a share of the events get their label later, as a
   * separate LATE_LABEL event with the same id after a delay; the others never get one.
   */
  LATE
}
