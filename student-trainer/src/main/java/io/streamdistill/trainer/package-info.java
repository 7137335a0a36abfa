/**
 * Online distillation trainer: consumes soft labels, trains the student with DJL, publishes gated, signed versions.
 *
 * <p>Not built yet: this module is a placeholder in the build so that the module layout of the
 * design is in place (see DESIGN.md and the open issues).
 */
package io.streamdistill.trainer;
