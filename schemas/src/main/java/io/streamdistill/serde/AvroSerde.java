package io.streamdistill.serde;

import io.streamdistill.serde.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of one generated record type in Confluent's wire format, for Kafka Streams and for clients.
 *
 * <pre>{@code
 * AvroSerde<InputEvent> serde = new AvroSerde<>(InputEvent.class);
 * serde.configure(Map.of("schema.registry.url", "http://localhost:8081"), false);
 * }</pre>
 */
public class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final AvroSerializer<T> serializer;
  private final AvroDeserializer<T> deserializer;

  /** A serde that makes its own registry client from the configs given to {@link #configure}. */
  public AvroSerde(Class<T> type) {
    this(type, null);
  }

  /** A serde on a shared registry client (the caller closes it); {@link #configure} is optional. */
  public AvroSerde(Class<T> type, SchemaRegistryClient client) {
    this.serializer = new AvroSerializer<>(client);
    this.deserializer = new AvroDeserializer<>(type, client);
  }

  /** Shorthand: a value serde configured from {@code configs}. */
  public static <T extends SpecificRecord> AvroSerde<T> forValues(Class<T> type, Map<String, ?> configs) {
    AvroSerde<T> serde = new AvroSerde<>(type);
    serde.configure(configs, false);
    return serde;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
  }
}
