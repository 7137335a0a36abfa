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

  private static byte[] encode(DatumWriter<SoftLabel> writer, SoftLabel label) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(label, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
