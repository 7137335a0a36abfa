package io.streamdistill.serde;

import io.streamdistill.serde.registry.RegistryUnavailableException;
import io.streamdistill.serde.registry.SchemaNotFoundException;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.serde.registry.SchemaRegistryClients;
import io.streamdistill.serde.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro into generated record classes. The writer schema comes from the
 * registry by the id in the frame (cached); the reader schema is the target class's, so a consumer
 * built against an older or newer compatible schema reads every version (Avro schema resolution).
 *
 * <p>Thread-safe. Every failure is an {@link AvroSerdeException} naming the topic, the schema id
 * when there was one, and what was wrong with the bytes.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

  /**
   * How records of one writer schema are read: straight from the bytes when it is the reader schema
   * ({@link DirectReader}), else through Avro's schema resolution.
   */
  private record Reading<T>(Schema readerSchema, DirectReader<T> direct, SpecificDatumReader<T> resolving) {
    T read(BinaryDecoder in) throws IOException {
      return direct != null ? direct.read(in) : resolving.read(null, in);
    }
  }

  private final Map<Integer, Reading<T>> readersBySchemaId = new ConcurrentHashMap<>();
  private Class<T> type;
  private SchemaRegistryClient client;
  private boolean ownsClient;

  /** For Kafka: the target type comes from specific.avro.value.type (or key), else the writer schema. */
  public AvroDeserializer() {}

  /** Reads into {@code type}, with a registry client shared with other serdes (the caller closes it). */
  public AvroDeserializer(Class<T> type, SchemaRegistryClient client) {
    this.type = type;
    this.client = client;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    if (type == null) {
      type = (Class<T>) config.getClass(isKey
          ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE_CONFIG
          : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE_CONFIG);
    }
    if (client == null) {
      client = SchemaRegistryClients.create(config);
      ownsClient = true;
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null; // a tombstone
    }
    if (client == null) {
      throw new IllegalStateException("AvroDeserializer used before configure() and without a registry client");
    }
    int schemaId = WireFormat.schemaId(topic, data);
    Reading<T> reader = readersBySchemaId.computeIfAbsent(schemaId, id -> reader(topic, id));
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
    T record;
    try {
      record = reader.read(decoder);
    } catch (IOException e) {
      throw new AvroSerdeException(topic, schemaId,
          "payload truncated: " + (data.length - WireFormat.HEADER_SIZE) + " bytes after the header end before a "
              + reader.readerSchema().getFullName() + " does (" + e + ")", e);
    } catch (RuntimeException e) {
      // Garbage after a valid header makes Avro fail in many ways (negative lengths, bad union indexes).
      throw new AvroSerdeException(topic, schemaId,
          "payload corrupt: the bytes after the header are not a " + reader.readerSchema().getFullName()
              + " (" + e + ")", e);
    }
    try {
      if (!decoder.isEnd()) {
        throw new AvroSerdeException(topic, schemaId,
            "payload corrupt: bytes left over after a complete " + reader.readerSchema().getFullName(), null);
      }
    } catch (IOException e) {
      throw new AvroSerdeException(topic, schemaId, "payload unreadable: " + e, e);
    }
    return record;
  }

  private Reading<T> reader(String topic, int schemaId) {
    Schema writer;
    try {
      writer = client.schemaById(schemaId);
    } catch (SchemaNotFoundException e) {
      throw new AvroSerdeException(topic, schemaId,
          "unknown schema id: the registry has no schema with this id (" + e.getMessage() + ")", e);
    } catch (RegistryUnavailableException e) {
      throw new AvroSerdeException(topic, schemaId,
          "could not fetch the writer schema, registry unavailable: " + e.getMessage(), e);
    } catch (SchemaRegistryException e) {
      throw new AvroSerdeException(topic, schemaId, "could not fetch the writer schema: " + e.getMessage(), e);
    }
    Schema readerSchema = readerSchemaFor(topic, schemaId, writer);
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new AvroSerdeException(topic, schemaId,
          "records written with " + writer.getFullName() + " cannot be read as " + readerSchema.getFullName()
              + ": " + compatibility.getDescription(), null);
    }
    SpecificData model = SpecificData.getForSchema(readerSchema);
    if (DirectReader.applies(writer, readerSchema)) {
      return new Reading<>(readerSchema, new DirectReader<>(readerSchema, model), null);
    }
    return new Reading<>(readerSchema, null, new FloatArrays.Reader<>(writer, readerSchema, model));
  }

  private Schema readerSchemaFor(String topic, int schemaId, Schema writer) {
    if (type != null) {
      return SpecificData.getForClass(type).getSchema(type);
    }
    Class<?> generated = SpecificData.get().getClass(writer);
    if (generated == null) {
      throw new AvroSerdeException(topic, schemaId,
          "no generated class for " + writer.getFullName() + " on the class path; set "
              + AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE_CONFIG, null);
    }
    return SpecificData.get().getSchema(generated);
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
