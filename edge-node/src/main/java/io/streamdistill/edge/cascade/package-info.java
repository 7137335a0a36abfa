/**
 * The cascade's fallback: asking the teacher service's {@code POST /predict} endpoint about a
 * request the student is unsure of, within a deadline, and saying plainly why when it did not
 * answer.
 */
package io.streamdistill.edge.cascade;
