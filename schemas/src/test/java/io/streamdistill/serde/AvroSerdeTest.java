package io.streamdistill.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.registry.IncompatibleSchemaException;
import io.streamdistill.serde.registry.MockSchemaRegistry;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private final String scope = "serde-test-" + UUID.randomUUID();
  private final Map<String, Object> config = Map.of("schema.registry.url", "mock://" + scope);

  @AfterEach
  void dropScope() {
    MockSchemaRegistry.dropScope(scope);
  }

  @Test
  void shouldRoundTripEveryRecordTypeInWireFormat() {
    for (Map.Entry<String, SpecificRecord> entry : SampleRecords.oneOfEachByTopic().entrySet()) {
      String topic = entry.getKey();
      SpecificRecord record = entry.getValue();
      @SuppressWarnings("unchecked")
      Class<SpecificRecord> type = (Class<SpecificRecord>) record.getClass();
      try (AvroSerde<SpecificRecord> serde = AvroSerde.forValues(type, config)) {
        byte[] bytes = serde.serializer().serialize(topic, record);
        assertEquals(0, bytes[0], "magic byte");
        int id = WireFormat.schemaId(topic, bytes);
        SchemaRegistryClient registry = MockSchemaRegistry.forScope(scope);
        assertEquals(id, registry.latest(Topics.valueSubject(topic)).id(), "registered under <topic>-value");
        assertEquals(record, serde.deserializer().deserialize(topic, bytes), topic);
      }
    }
  }

  @Test
  void shouldPassNullThroughAsTombstone() {
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, config)) {
      assertNull(serde.serializer().serialize(Topics.INPUT_EVENTS, null));
      assertNull(serde.deserializer().deserialize(Topics.INPUT_EVENTS, null));
    }
  }

  @Test
  void shouldFindTheGeneratedClassFromTheWriterSchemaWhenNoTypeIsConfigured() {
    try (AvroSerializer<InputEvent> serializer = new AvroSerializer<>();
        AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>()) {
      serializer.configure(config, false);
      deserializer.configure(config, false);
      byte[] bytes = serializer.serialize("t", SampleRecords.inputEvent());
      assertEquals(SampleRecords.inputEvent(), deserializer.deserialize("t", bytes));
    }
  }

  @Test
  void shouldRefuseAnIncompatibleSchemaNamingTopicAndSubject() {
    SchemaRegistryClient registry = MockSchemaRegistry.forScope(scope);
    Schema incompatible = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"InputEvent\",\"namespace\":\"io.streamdistill.schemas\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}");
    registry.register(Topics.valueSubject("events"), incompatible);
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, config)) {
      AvroSerdeException e = assertThrows(AvroSerdeException.class,
          () -> serde.serializer().serialize("events", SampleRecords.inputEvent()));
      assertEquals("events", e.topic());
      assertInstanceOf(IncompatibleSchemaException.class, e.getCause());
      assertTrue(e.getMessage().contains("'events-value'"), e.getMessage());
      assertTrue(e.getMessage().contains("incompatible"), e.getMessage());
    }
  }

  @Test
  void shouldRejectBytesWithWrongMagicByte() {
    byte[] bytes = serialize(SampleRecords.inputEvent());
    bytes[0] = 7;
    AvroSerdeException e = assertThrows(AvroSerdeException.class, () -> deserialize(bytes));
    assertEquals(Topics.INPUT_EVENTS, e.topic());
    assertTrue(e.getMessage().contains("magic byte 0x07"), e.getMessage());
  }

  @Test
  void shouldRejectBytesShorterThanTheHeader() {
    AvroSerdeException e = assertThrows(AvroSerdeException.class, () -> deserialize(new byte[] {0, 0, 1}));
    assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
    assertTrue(e.schemaId().isEmpty());
  }

  @Test
  void shouldRejectATruncatedPayloadNamingTheSchemaId() {
    byte[] bytes = serialize(SampleRecords.inputEvent());
    int id = WireFormat.schemaId(Topics.INPUT_EVENTS, bytes);
    AvroSerdeException e = assertThrows(AvroSerdeException.class,
        () -> deserialize(Arrays.copyOf(bytes, bytes.length - 10)));
    assertEquals(id, e.schemaId().orElseThrow());
    assertTrue(e.getMessage().contains("schema id " + id), e.getMessage());
    assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
  }

  @Test
  void shouldRejectBytesLeftOverAfterTheRecord() {
    byte[] bytes = serialize(SampleRecords.inputEvent());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    AvroSerdeException e = assertThrows(AvroSerdeException.class, () -> deserialize(longer));
    assertTrue(e.getMessage().contains("left over"), e.getMessage());
  }

  @Test
  void shouldRejectAnUnknownSchemaId() {
    byte[] bytes = serialize(SampleRecords.inputEvent());
    byte[] unknown = bytes.clone();
    WireFormat.writeHeader(unknown, 4242);
    AvroSerdeException e = assertThrows(AvroSerdeException.class, () -> deserialize(unknown));
    assertEquals(4242, e.schemaId().orElseThrow());
    assertTrue(e.getMessage().contains("unknown schema id"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + Topics.INPUT_EVENTS + "'"), e.getMessage());
  }

  @Test
  void shouldFailWhenNotRegisteredAndAutoRegisterIsOff() {
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class,
        Map.of("schema.registry.url", "mock://" + scope, "auto.register.schemas", "false"))) {
      AvroSerdeException e = assertThrows(AvroSerdeException.class,
          () -> serde.serializer().serialize("x", SampleRecords.inputEvent()));
      assertTrue(e.getMessage().contains("auto.register.schemas=false"), e.getMessage());
    }
  }

  @Test
  void shouldWriteWithTheLatestVersionWhenAsked() {
    // The subject's latest schema has an extra field with a default: records of the older
    // class are converted to it, and read back through it.
    Schema latest = new Schema.Parser().parse(InputEvent.getClassSchema().toString()
        .replaceFirst("\\{\"name\":\"id\"",
            "{\"name\":\"tenant\",\"type\":\"string\",\"default\":\"acme\"},{\"name\":\"id\""));
    SchemaRegistryClient registry = MockSchemaRegistry.forScope(scope);
    int latestId = registry.register("t-value", latest);
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, Map.of(
        "schema.registry.url", "mock://" + scope, "auto.register.schemas", false, "use.latest.version", true))) {
      byte[] bytes = serde.serializer().serialize("t", SampleRecords.inputEvent());
      assertEquals(latestId, WireFormat.schemaId("t", bytes));
      assertEquals(SampleRecords.inputEvent(), serde.deserializer().deserialize("t", bytes));
    }
  }

  @Test
  void shouldNameTheMissingRegistryUrlKey() {
    AvroSerializer<InputEvent> serializer = new AvroSerializer<>();
    ConfigException e = assertThrows(ConfigException.class, () -> serializer.configure(Map.of(), false));
    assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
  }

  @Test
  void shouldRejectAUrlWithoutAScheme() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new AvroSerdeConfig(Map.of("schema.registry.url", "localhost:8081")));
    assertTrue(e.getMessage().contains("schema.registry.url"), e.getMessage());
  }

  @Test
  void shouldWriteTheSchemaIdBigEndianAfterMagicByte() {
    byte[] header = new byte[5];
    WireFormat.writeHeader(header, 0x01020304);
    assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, header);
    assertEquals(0x01020304, WireFormat.schemaId("t", header));
  }

  private byte[] serialize(InputEvent event) {
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, config)) {
      return serde.serializer().serialize(Topics.INPUT_EVENTS, event);
    }
  }

  private InputEvent deserialize(byte[] bytes) {
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, config)) {
      return serde.deserializer().deserialize(Topics.INPUT_EVENTS, bytes);
    }
  }
}
