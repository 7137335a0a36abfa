/**
 * Serves the student in the request path (plain Java), hot-swaps versions from Kafka, cascades to the teacher.
 *
 * <p>Not built yet: this module is a placeholder in the build so that the module layout of the
 * design is in place (see DESIGN.md and the open issues).
 */
package io.streamdistill.edge;
