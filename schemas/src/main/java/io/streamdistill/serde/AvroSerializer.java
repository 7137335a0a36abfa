package io.streamdistill.serde;

import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.registry.RegisteredSchema;
import io.streamdistill.serde.registry.SchemaNotFoundException;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.serde.registry.SchemaRegistryClients;
import io.streamdistill.serde.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes generated Avro records in Confluent's wire format, registering or looking up their
 * schema under {@code <topic>-value} (or {@code -key}) in a Confluent-compatible registry.
 *
 * <p>Thread-safe, as Kafka's producer requires: the registry answers are cached per (subject,
 * schema), so after the first record of a type a serialization makes no registry call.
 *
 * <pre>{@code
 * props.put("value.serializer", AvroSerializer.class.getName());
 * props.put("schema.registry.url", "http://localhost:8081");
 * }</pre>
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

  /**
   * How records of one schema are written to one subject; {@code converts} when that is not their
   * own schema (decided once: comparing schemas is a deep walk).
   */
  private record WritePlan(int schemaId, Schema recordSchema, Schema writerSchema, DatumWriter<Object> writer,
      boolean converts) {
    WritePlan(int schemaId, Schema recordSchema, Schema writerSchema, DatumWriter<Object> writer) {
      this(schemaId, recordSchema, writerSchema, writer, !recordSchema.equals(writerSchema));
    }
  }

  private record PlanKey(String subject, Schema schema) {}

  private final Map<PlanKey, WritePlan> plans = new ConcurrentHashMap<>();
  private SchemaRegistryClient client;
  private boolean ownsClient;
  private boolean isKey;
  private boolean autoRegister = true;
  private boolean useLatestVersion;
  private boolean latestStrict = true;

  /** For Kafka, which configures it from the client's properties. */
  public AvroSerializer() {}

  /** With a registry client shared with other serdes (the caller closes it). */
  public AvroSerializer(SchemaRegistryClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    this.isKey = isKey;
    this.autoRegister = config.getBoolean(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG);
    this.useLatestVersion = config.getBoolean(AvroSerdeConfig.USE_LATEST_VERSION_CONFIG);
    this.latestStrict = config.getBoolean(AvroSerdeConfig.LATEST_COMPATIBILITY_STRICT_CONFIG);
    if (client == null) {
      client = SchemaRegistryClients.create(config);
      ownsClient = true;
    }
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException("AvroSerializer used before configure() and without a registry client");
    }
    String subject = isKey ? Topics.keySubject(topic) : Topics.valueSubject(topic);
    WritePlan plan = plans.computeIfAbsent(new PlanKey(subject, record.getSchema()), k -> plan(topic, k));
    try {
      Object datum = plan.converts() ? convert(record, plan) : record;
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      byte[] header = new byte[WireFormat.HEADER_SIZE];
      WireFormat.writeHeader(header, plan.schemaId());
      out.write(header);
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      plan.writer().write(datum, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new AvroSerdeException(topic, plan.schemaId(),
          "could not encode a " + record.getSchema().getFullName() + ": " + e, e);
    }
  }

  private WritePlan plan(String topic, PlanKey key) {
    Schema schema = key.schema();
    try {
      if (useLatestVersion) {
        RegisteredSchema latest = client.latest(key.subject());
        if (latestStrict && !canRead(latest.schema(), schema)) {
          throw new AvroSerdeException(topic, latest.id(),
              "use.latest.version: the latest schema of subject '" + key.subject() + "' (version "
                  + latest.version() + ") cannot read records of " + schema.getFullName()
                  + " (latest.compatibility.strict=true)", null);
        }
        return new WritePlan(latest.id(), schema, latest.schema(), new GenericDatumWriter<>(latest.schema()));
      }
      int id = autoRegister ? client.register(key.subject(), schema) : client.idOf(key.subject(), schema);
      return new WritePlan(id, schema, schema, new FloatArrays.Writer<>(schema, SpecificData.getForSchema(schema)));
    } catch (SchemaNotFoundException e) {
      throw new AvroSerdeException(topic, -1,
          "schema " + schema.getFullName() + " is not registered under subject '" + key.subject()
              + "' and auto.register.schemas=false: " + e.getMessage(), e);
    } catch (SchemaRegistryException e) {
      throw new AvroSerdeException(topic, -1,
          "could not " + (autoRegister ? "register" : "look up") + " schema " + schema.getFullName()
              + " under subject '" + key.subject() + "': " + e.getMessage(), e);
    }
  }

  /** Rewrites a record in the latest schema by Avro schema resolution (only with use.latest.version). */
  private static Object convert(SpecificRecord record, WritePlan plan) throws IOException {
    ByteArrayOutputStream own = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(own, null);
    new SpecificDatumWriter<SpecificRecord>(plan.recordSchema()).write(record, encoder);
    encoder.flush();
    return new GenericDatumReader<Object>(plan.recordSchema(), plan.writerSchema(), GenericData.get())
        .read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
  }

  private static boolean canRead(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
