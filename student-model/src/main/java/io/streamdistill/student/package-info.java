/**
 * Plain-Java student models shared by trainer and edge: architecture spec, featurizer, weight format, signing. No DJL, no native code.
 *
 * <p>Not built yet: this module is a placeholder in the build so that the module layout of the
 * design is in place (see DESIGN.md and the open issues).
 */
package io.streamdistill.student;
