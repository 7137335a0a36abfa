/**
 * The student as DJL trains it: the block built from the shared spec, the distillation loss, and
 * the learner that runs one training step per mini-batch. Nothing here knows Kafka.
 */
package io.streamdistill.trainer.model;
