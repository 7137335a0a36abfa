/**
 * Kafka serdes for the generated Avro records in Confluent's wire format (magic byte 0, 4-byte
 * schema id, Avro binary), with schemas registered in a Confluent-compatible registry under
 * {@code <topic>-value}. Configured with Confluent's keys ({@link
 * io.streamdistill.serde.AvroSerdeConfig}); {@code mock://scope} selects an in-memory registry for
 * unit tests.
 */
package io.streamdistill.serde;
