/**
 * Audits from what is on the topics, read_committed: lineage coverage of the soft labels, exactly once
 * by event id, dead letters by kind and reason. Plain functions over records, so that they are
 * unit-tested without a broker.
 */
package io.streamdistill.reliability.audit;
