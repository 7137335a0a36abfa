package io.streamdistill.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.AvroSerdeException;
import io.streamdistill.serde.registry.SchemaNotFoundException;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bytes that are not what they claim, read through the real broker against the real registry. */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class BadBytesIT {

  @Test
  void shouldReportWrongMagicByteWithTopicAndOffset(LocalStack stack) throws Exception {
    byte[] bytes = validBytes(stack, "bad-magic-probe");
    bytes[0] = 1;
    RecordDeserializationException e = consumeFailing(stack, "bad-magic", bytes);
    AvroSerdeException cause = assertInstanceOf(AvroSerdeException.class, e.getCause());
    assertTrue(cause.getMessage().contains("magic byte 0x01"), cause.getMessage());
    assertEquals(0, e.offset());
  }

  @Test
  void shouldReportATruncatedPayloadWithItsSchemaId(LocalStack stack) throws Exception {
    byte[] bytes = validBytes(stack, "truncated-probe");
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    RecordDeserializationException e = consumeFailing(stack, "truncated", Arrays.copyOf(bytes, bytes.length / 2));
    AvroSerdeException cause = assertInstanceOf(AvroSerdeException.class, e.getCause());
    assertEquals(id, cause.schemaId().orElseThrow());
    assertTrue(cause.getMessage().contains("schema id " + id), cause.getMessage());
  }

  @Test
  void shouldReportAnIdTheRegistryDoesNotKnow(LocalStack stack) throws Exception {
    byte[] bytes = validBytes(stack, "unknown-id-probe");
    ByteBuffer.wrap(bytes).putInt(1, 987_654);
    RecordDeserializationException e = consumeFailing(stack, "unknown-id", bytes);
    AvroSerdeException cause = assertInstanceOf(AvroSerdeException.class, e.getCause());
    assertEquals(987_654, cause.schemaId().orElseThrow());
    assertTrue(cause.getMessage().contains("unknown schema id"), cause.getMessage());
    SchemaNotFoundException registryAnswer = assertInstanceOf(SchemaNotFoundException.class, cause.getCause());
    assertEquals(404, registryAnswer.httpStatus());
  }

  private static byte[] validBytes(LocalStack stack, String topic) {
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, stack.clientConfig())) {
      return serde.serializer().serialize(topic, SampleRecords.inputEvent());
    }
  }

  /** Produces the bytes to a new topic and returns the consumer's failure to read them. */
  private static RecordDeserializationException consumeFailing(LocalStack stack, String prefix, byte[] value)
      throws Exception {
    String topic = Clients.newTopic(stack, prefix);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Clients.producerConfig(stack),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
    }
    try (KafkaConsumer<String, InputEvent> consumer = new KafkaConsumer<>(Clients.consumerConfig(stack),
        new StringDeserializer(), AvroSerde.forValues(InputEvent.class, stack.clientConfig()).deserializer())) {
      RecordDeserializationException e = assertThrows(RecordDeserializationException.class,
          () -> Clients.consume(consumer, topic, 1, Duration.ofSeconds(30)));
      assertEquals(topic, e.topicPartition().topic());
      assertInstanceOf(AvroSerdeException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("topic '" + topic + "'"), e.getCause().getMessage());
      return e;
    }
  }
}
