package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.AvroSerdeException;
import io.streamdistill.serde.WireFormat;
import io.streamdistill.serde.registry.IncompatibleSchemaException;
import io.streamdistill.serde.registry.RestSchemaRegistryClient;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Schema evolution against the real registry, which the local stack runs with BACKWARD compatibility. */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class SchemaEvolutionIT {

  /** InputEvent v2: a new field with a default, which BACKWARD allows. */
  private static final Schema INPUT_EVENT_V2 = new Schema.Parser().parse(InputEvent.getClassSchema().toString()
      .replaceFirst("\\{\"name\":\"id\"",
          "{\"name\":\"tenant\",\"type\":\"string\",\"default\":\"acme\"},{\"name\":\"id\""));

  /** InputEvent with the id turned into a long: no reader of either can read the other. */
  private static final Schema INPUT_EVENT_INCOMPATIBLE =
      new Schema.Parser().parse(InputEvent.getClassSchema().toString()
          .replaceFirst("\\{\"name\":\"id\",\"type\":\\{\"type\":\"string\",\"avro.java.string\":\"String\"\\}",
              "{\"name\":\"id\",\"type\":\"long\""));

  @Test
  void shouldRegisterABackwardCompatibleChangeAndStillReadOldData(LocalStack stack) throws Exception {
    String topic = Clients.newTopic(stack, "evolution-compatible");
    RestSchemaRegistryClient registry = registry(stack);
    InputEvent old = SampleRecords.inputEvent();

    // v1 data, registered by the serializer.
    try (KafkaProducer<String, InputEvent> producer = new KafkaProducer<>(Clients.producerConfig(stack),
        new StringSerializer(), AvroSerde.forValues(InputEvent.class, stack.clientConfig()).serializer())) {
      producer.send(new ProducerRecord<>(topic, old.getId(), old)).get(30, TimeUnit.SECONDS);
    }
    int v1 = registry.latest(Topics.valueSubject(topic)).id();

    int v2 = registry.register(Topics.valueSubject(topic), INPUT_EVENT_V2);
    assertNotEquals(v1, v2);
    assertEquals(2, registry.latest(Topics.valueSubject(topic)).version());

    // v2 data: a producer built against v1 writes with the latest schema (use.latest.version).
    Map<String, Object> latestConfig = new HashMap<>(stack.clientConfig());
    latestConfig.put("auto.register.schemas", false);
    latestConfig.put("use.latest.version", true);
    try (KafkaProducer<String, InputEvent> producer = new KafkaProducer<>(Clients.producerConfig(stack),
        new StringSerializer(), AvroSerde.forValues(InputEvent.class, latestConfig).serializer())) {
      producer.send(new ProducerRecord<>(topic, old.getId(), old)).get(30, TimeUnit.SECONDS);
    }

    // A consumer on v2 reads the old data, with the new field's default.
    try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(Clients.consumerConfig(stack),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      var records = Clients.consume(raw, topic, 2, Duration.ofSeconds(30));
      assertEquals(2, records.size());
      assertEquals(v1, WireFormat.schemaId(topic, records.get(0).value()));
      assertEquals(v2, WireFormat.schemaId(topic, records.get(1).value()));
      GenericRecord oldReadAsV2 = readAs(INPUT_EVENT_V2, registry, topic, records.get(0).value());
      assertEquals("acme", oldReadAsV2.get("tenant").toString());
      assertEquals(old.getId(), oldReadAsV2.get("id").toString());
      assertEquals(old.getVector(), oldReadAsV2.get("vector"));
    }

    // And consumers still on v1 read both.
    try (KafkaConsumer<String, InputEvent> consumer = new KafkaConsumer<>(Clients.consumerConfig(stack),
        new StringDeserializer(), AvroSerde.forValues(InputEvent.class, stack.clientConfig()).deserializer())) {
      var records = Clients.consume(consumer, topic, 2, Duration.ofSeconds(30));
      assertEquals(List.of(old, old), records.stream().map(r -> r.value()).toList());
    }
  }

  @Test
  void shouldRefuseAnIncompatibleChangeWithAClearException(LocalStack stack) {
    String topic = Clients.newTopic(stack, "evolution-incompatible");
    RestSchemaRegistryClient registry = registry(stack);
    registry.register(Topics.valueSubject(topic), InputEvent.getClassSchema());

    IncompatibleSchemaException refused = assertThrows(IncompatibleSchemaException.class,
        () -> registry.register(Topics.valueSubject(topic), INPUT_EVENT_INCOMPATIBLE));
    assertEquals(409, refused.httpStatus());
    assertTrue(refused.getMessage().contains(Topics.valueSubject(topic)), refused.getMessage());
    assertEquals(1, registry.latest(Topics.valueSubject(topic)).version(), "nothing was registered");
  }

  @Test
  void shouldNameTheTopicWhenTheSerializerMeetsAnIncompatibleSubject(LocalStack stack) {
    String topic = Clients.newTopic(stack, "evolution-serializer");
    registry(stack).register(Topics.valueSubject(topic), INPUT_EVENT_INCOMPATIBLE);
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig())) {
      AvroSerdeException e = assertThrows(AvroSerdeException.class,
          () -> serde.serializer().serialize(topic, SampleRecords.inputEvent()));
      assertInstanceOf(IncompatibleSchemaException.class, e.getCause());
      assertEquals(topic, e.topic());
      assertTrue(e.getMessage().contains("HTTP 409"), e.getMessage());
      assertTrue(e.getMessage().contains("incompatible"), e.getMessage());
    }
  }

  private static RestSchemaRegistryClient registry(LocalStack stack) {
    return new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(stack.schemaRegistryUrl()));
  }

  private static GenericRecord readAs(Schema reader, RestSchemaRegistryClient registry, String topic, byte[] bytes)
      throws IOException {
    Schema writer = registry.schemaById(WireFormat.schemaId(topic, bytes));
    return new GenericDatumReader<GenericRecord>(writer, reader).read(null, DecoderFactory.get()
        .binaryDecoder(bytes, WireFormat.HEADER_SIZE, bytes.length - WireFormat.HEADER_SIZE, null));
  }
}
