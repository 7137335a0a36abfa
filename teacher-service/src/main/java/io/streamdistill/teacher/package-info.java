/**
 * Kafka Streams service that labels input events with teacher models (exactly-once) and answers synchronous requests.
 *
 * <p>Not built yet: this module is a placeholder in the build so that the module layout of the
 * design is in place (see DESIGN.md and the open issues).
 */
package io.streamdistill.teacher;
