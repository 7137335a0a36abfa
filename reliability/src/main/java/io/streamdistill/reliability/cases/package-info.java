/**
 * The campaign's cases: each starts the real services it needs as child JVMs on the shared local
 * stack, with topics of its own, disrupts them, and audits what reached Kafka.
 */
package io.streamdistill.reliability.cases;
