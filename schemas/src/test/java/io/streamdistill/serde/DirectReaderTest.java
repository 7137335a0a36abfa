package io.streamdistill.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class DirectReaderTest {
  private static final List<Schema> TOPIC_SCHEMAS = List.of(InputEvent.getClassSchema(), SoftLabel.getClassSchema(),
      StudentModelVersion.getClassSchema(), DeploymentEvent.getClassSchema(), DeadLetter.getClassSchema());

  /**
   * Random records of every topic's schema (every branch of every union, empty and multi-block
   * arrays and maps, every enum symbol in time), written by Avro's generic writer: the direct reader
   * reads each as the same record as Avro's own specific reader.
   */
  @Test
  void shouldReadEveryTopicsRecordsAsAvrosOwnReaderDoes() throws IOException {
    Random random = new Random(20261202);
    for (Schema schema : TOPIC_SCHEMAS) {
      SpecificData model = SpecificData.getForSchema(schema);
      assertTrue(DirectReader.applies(schema, schema), schema.getFullName());
      DirectReader<SpecificRecord> direct = new DirectReader<>(schema, model);
      SpecificDatumReader<SpecificRecord> avros = new SpecificDatumReader<>(schema, schema, model);
      for (int i = 0; i < 300; i++) {
        byte[] bytes = encode(schema, randomValue(schema, random, 0));
        SpecificRecord expected = avros.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        var decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        SpecificRecord actual = direct.read(decoder);
        assertEquals(expected, actual, schema.getFullName() + " record " + i);
        assertEquals(expected.getClass(), actual.getClass());
        assertTrue(decoder.isEnd(), "every byte read");
      }
    }
  }

  @Test
  void shouldKeepFloatArraysUnboxedAndStringsAsStrings() throws IOException {
    SoftLabel label = SampleRecords.softLabel();
    label.getEvent().setVector(AvroValues.boxed(new float[] {0f, 0.5f, -1.25f, Float.MAX_VALUE}));
    byte[] bytes = encode(SoftLabel.getClassSchema(), label);
    SoftLabel read = new DirectReader<SoftLabel>(SoftLabel.getClassSchema(),
        SpecificData.getForSchema(SoftLabel.getClassSchema())).read(DecoderFactory.get().binaryDecoder(bytes, null));
    assertInstanceOf(PrimitivesArrays.FloatArray.class, read.getEvent().getVector());
    assertInstanceOf(PrimitivesArrays.FloatArray.class, read.getTeachers().get(0).getLogits());
    assertInstanceOf(String.class, read.getEvent().getId());
    assertEquals(label, read);
  }

  @Test
  void shouldLeaveAnotherWritersRecordsToSchemaResolution() {
    Schema older = SchemaBuilder.record("InputEvent").namespace("io.streamdistill.schemas").fields()
        .requiredString("id").endRecord();
    assertFalse(DirectReader.applies(older, InputEvent.getClassSchema()));
    Schema withJavaClass = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
        + "\"type\":{\"type\":\"string\",\"java-class\":\"java.math.BigDecimal\"}}]}");
    assertFalse(DirectReader.applies(withJavaClass, withJavaClass), "java-class is for Avro's reader alone");
  }

  @Test
  void shouldFailOnCorruptBytesInsteadOfReadingGarbage() {
    DirectReader<InputEvent> direct = new DirectReader<>(InputEvent.getClassSchema(),
        SpecificData.getForSchema(InputEvent.getClassSchema()));
    byte[] truncated = new byte[] {2, 'a'}; // an id of one character, then nothing
    assertThrows(IOException.class, () -> direct.read(DecoderFactory.get().binaryDecoder(truncated, null)));
  }

  private static byte[] encode(Schema schema, Object datum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<>(schema, SpecificData.getForSchema(schema)).write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  /** A random value of the schema, in the generic representation Avro's generic writer takes. */
  private static Object randomValue(Schema s, Random random, int depth) {
    if (s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      return java.time.Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L));
    }
    return switch (s.getType()) {
      case RECORD -> {
        GenericData.Record record = new GenericData.Record(s);
        for (Schema.Field f : s.getFields()) {
          record.put(f.pos(), randomValue(f.schema(), random, depth + 1));
        }
        yield record;
      }
      case ENUM -> new GenericData.EnumSymbol(s, s.getEnumSymbols().get(random.nextInt(s.getEnumSymbols().size())));
      case ARRAY -> {
        List<Object> list = new ArrayList<>();
        int n = depth > 4 ? 0 : random.nextInt(random.nextBoolean() ? 3 : 300);
        for (int i = 0; i < n; i++) {
          list.add(randomValue(s.getElementType(), random, depth + 1));
        }
        yield list;
      }
      case MAP -> {
        Map<String, Object> map = new HashMap<>();
        int n = depth > 4 ? 0 : random.nextInt(5);
        for (int i = 0; i < n; i++) {
          map.put("k" + random.nextInt(1000), randomValue(s.getValueType(), random, depth + 1));
        }
        yield map;
      }
      case UNION -> randomValue(s.getTypes().get(random.nextInt(s.getTypes().size())), random, depth);
      case FIXED -> {
        byte[] b = new byte[s.getFixedSize()];
        random.nextBytes(b);
        yield new GenericData.Fixed(s, b);
      }
      case STRING -> "s" + random.nextInt() + (random.nextBoolean() ? "é✓" : "");
      case BYTES -> {
        byte[] b = new byte[random.nextInt(40)];
        random.nextBytes(b);
        yield ByteBuffer.wrap(b);
      }
      case INT -> random.nextInt();
      case LONG -> random.nextLong();
      case FLOAT -> random.nextFloat() * 1e6f - 5e5f;
      case DOUBLE -> random.nextDouble() * 1e12;
      case BOOLEAN -> random.nextBoolean();
      case NULL -> null;
    };
  }
}
