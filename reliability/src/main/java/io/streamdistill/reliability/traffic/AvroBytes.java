package io.streamdistill.reliability.traffic;

import io.streamdistill.serde.AvroSerde;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records of one type in the wire format the services read (magic byte, schema id, Avro), as bytes:
 * the campaign sends good and bad records through one byte producer, so that the bad ones can be any
 * bytes at all. Registers the schema on first use, as a service's serializer would. Thread-safe as the
 * serde is; owns the serde.
 */
public final class AvroBytes<T extends SpecificRecord> implements AutoCloseable {
  private final AvroSerde<T> serde;

  public AvroBytes(Class<T> type, Map<String, Object> clientConfig) {
    this.serde = AvroSerde.forValues(type, clientConfig);
  }

  public byte[] of(String topic, T record) {
    return serde.serializer().serialize(topic, record);
  }

  public T read(String topic, byte[] bytes) {
    return serde.deserializer().deserialize(topic, bytes);
  }

  @Override
  public void close() {
    serde.close();
  }
}
