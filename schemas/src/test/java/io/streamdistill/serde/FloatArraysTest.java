package io.streamdistill.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.schemas.SoftLabel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class FloatArraysTest {
  @Test
  void shouldWriteUnboxedFloatArraysAsTheSameBytesAsAvrosOwnWriter() throws IOException {
    float[] pixels = new float[784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i % 7) / 7f;
    }
    SoftLabel label = SampleRecords.softLabel();
    label.getEvent().setVector(AvroValues.boxed(pixels));
    assertInstanceOf(PrimitivesArrays.FloatArray.class, label.getEvent().getVector(), "stored unboxed");
    byte[] ours = encode(new FloatArrays.Writer<>(SoftLabel.getClassSchema(), SpecificData.get()), label);

    // Avro's own writer, on the same values boxed in an ordinary list.
    label.getEvent().setVector(List.copyOf(label.getEvent().getVector()));
    byte[] avros = encode(new SpecificDatumWriter<>(SoftLabel.getClassSchema()), label);
    assertArrayEquals(avros, ours);

    SoftLabel read = new SpecificDatumReader<>(SoftLabel.class).read(null,
        DecoderFactory.get().binaryDecoder(ours, null));
    assertArrayEquals(pixels, AvroValues.floats(read.getEvent().getVector()));
    assertEquals(label, read);
  }

  @Test
  void shouldReadFloatArraysUnboxedAsTheSameRecordAsAvrosOwnReader() throws IOException {
    SoftLabel label = SampleRecords.softLabel();
    label.getEvent().setVector(AvroValues.boxed(new float[] {0f, 0.5f, -1.25f, Float.MAX_VALUE}));
    byte[] bytes = encode(new SpecificDatumWriter<>(SoftLabel.getClassSchema()), label);

    SoftLabel ours = new FloatArrays.Reader<SoftLabel>(SoftLabel.getClassSchema(), SoftLabel.getClassSchema(),
        SpecificData.getForSchema(SoftLabel.getClassSchema())).read(null,
        DecoderFactory.get().binaryDecoder(bytes, null));
    SoftLabel avros = new SpecificDatumReader<>(SoftLabel.class).read(null,
        DecoderFactory.get().binaryDecoder(bytes, null));
    assertInstanceOf(PrimitivesArrays.FloatArray.class, ours.getEvent().getVector(), "read unboxed");
    assertInstanceOf(PrimitivesArrays.FloatArray.class, ours.getTeachers().get(0).getLogits(), "nested too");
    assertEquals(avros, ours);
    assertEquals(avros.getEvent().getTimestamp(), ours.getEvent().getTimestamp(), "logical types still converted");
  }

  @Test
  void shouldStillPromoteAnIntArrayWrittenByAnOlderSchemaToFloats() throws IOException {
    Schema ints = SchemaBuilder.record("Values").fields().name("values").type().array().items().intType()
        .noDefault().endRecord();
    Schema floats = SchemaBuilder.record("Values").fields().name("values").type().array().items().floatType()
        .noDefault().endRecord();
    GenericRecord written = new GenericData.Record(ints);
    written.put("values", List.of(1, -2, 3));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(ints).write(written, encoder);
    encoder.flush();

    GenericRecord read = new FloatArrays.Reader<GenericRecord>(ints, floats, new SpecificData())
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    @SuppressWarnings("unchecked")
    List<Float> values = (List<Float>) read.get("values");
    assertArrayEquals(new float[] {1f, -2f, 3f}, AvroValues.floats(values));
  }

  @Test
  void shouldReadFloatsInBulkFromBlocksOfAnySizeAsAvrosOwnDecoderDoes() throws IOException {
    Schema array = SchemaBuilder.array().items().floatType();
    // Blocks written by hand: one of 3, one longer than the 4,096-float bulk buffer, one of 1, then the end.
    float[] values = new float[3 + 5_000 + 1];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(i) * 1e3f;
    }
    values[1] = Float.NaN;
    values[2] = -0f;
    values[3] = Float.NEGATIVE_INFINITY;
    values[values.length - 1] = Float.MIN_VALUE;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    int from = 0;
    for (int block : new int[] {3, 5_000, 1}) {
      encoder.writeArrayStart();
      encoder.setItemCount(block);
      for (int k = 0; k < block; k++) {
        encoder.startItem();
        encoder.writeFloat(values[from++]);
      }
      encoder.writeArrayEnd();
    }
    encoder.flush();
    // writeArrayEnd wrote a 0 after each block: rebuild the stream as one array of three blocks.
    byte[] bytes = oneArrayOfBlocks(out.toByteArray());

    PrimitivesArrays.FloatArray bulk = FloatArrays.read(array, DecoderFactory.get().binaryDecoder(bytes, null));
    float[] read = AvroValues.floats(bulk);
    assertEquals(values.length, read.length);
    for (int i = 0; i < values.length; i++) {
      assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(read[i]), "float " + i);
    }
    @SuppressWarnings("unchecked")
    List<Float> avros = (List<Float>) new GenericDatumReader<Object>(array).read(null,
        DecoderFactory.get().binaryDecoder(bytes, null));
    assertEquals(avros, bulk, "the same list as Avro's own reader");
  }

  /** Three arrays' bytes ({count, floats, 0} each) as one array of three blocks ({count, floats} ... 0). */
  private static byte[] oneArrayOfBlocks(byte[] threeArrays) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var in = DecoderFactory.get().binaryDecoder(threeArrays, null);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    for (int a = 0; a < 3; a++) {
      long count = in.readArrayStart();
      encoder.writeLong(count);
      for (long k = 0; k < count; k++) {
        encoder.writeFloat(in.readFloat());
      }
      if (in.arrayNext() != 0) {
        throw new IllegalStateException("one block per array expected");
      }
    }
    encoder.writeLong(0);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] encode(DatumWriter<SoftLabel> writer, SoftLabel label) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(label, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
