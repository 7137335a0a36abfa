package io.streamdistill.producers;

/** What the Kafka record key of an input event is, which decides its partition. */
public enum KeyChoice {
  /** The event id: an event and its late label land on the same partition, in order. */
  ID,
  /** No key: Kafka's sticky partitioner spreads batches over the partitions. */
  NONE,
  /** The label (or "unlabelled"): all events of a class on one partition. Skews load; for tests of ordering. */
  LABEL
}
