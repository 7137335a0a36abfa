package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroDeserializer;
import io.streamdistill.serde.AvroSerializer;
import io.streamdistill.serde.WireFormat;
import io.streamdistill.serde.registry.RestSchemaRegistryClient;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

/** Every record type through the real registry and the real broker: produce, consume, equal. */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class AvroSerdeRoundTripIT {

  @Test
  void shouldRoundTripEveryRecordTypeThroughRegistryAndBroker(LocalStack stack) throws Exception {
    RestSchemaRegistryClient registry =
        new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(stack.schemaRegistryUrl()));
    for (Map.Entry<String, SpecificRecord> entry : SampleRecords.oneOfEachByTopic().entrySet()) {
      SpecificRecord record = entry.getValue();
      String topic = Clients.newTopic(stack, "roundtrip-" + record.getSchema().getName());

      try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
          Clients.producerConfig(stack), new StringSerializer(), serializer(stack))) {
        producer.send(new ProducerRecord<>(topic, "key-1", record)).get(30, TimeUnit.SECONDS);
      }

      AvroDeserializer<SpecificRecord> deserializer = new AvroDeserializer<>();
      deserializer.configure(stack.clientConfig(), false);
      try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(
          Clients.consumerConfig(stack), new StringDeserializer(), deserializer)) {
        List<ConsumerRecord<String, SpecificRecord>> got = Clients.consume(consumer, topic, 1, Duration.ofSeconds(30));
        assertEquals(1, got.size(), topic);
        assertEquals(record, got.get(0).value(), record.getSchema().getName());
        assertEquals("key-1", got.get(0).key());
      }

      // On the wire: Confluent framing with the id the registry gave the subject <topic>-value.
      try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(
          Clients.consumerConfig(stack), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        byte[] bytes = Clients.consume(raw, topic, 1, Duration.ofSeconds(30)).get(0).value();
        assertEquals(0, bytes[0]);
        int id = WireFormat.schemaId(topic, bytes);
        assertEquals(id, registry.latest(Topics.valueSubject(topic)).id());
        assertEquals(record.getSchema(), registry.schemaById(id));
      }
    }
    assertTrue(registry.subjects().size() >= 5);
  }

  private static AvroSerializer<SpecificRecord> serializer(LocalStack stack) {
    AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
    serializer.configure(stack.clientConfig(), false);
    return serializer;
  }
}
