package io.streamdistill.serde;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro's specific writer, with {@code array<float>} written from an unboxed
 * {@link PrimitivesArrays.FloatArray} without boxing: {@code AvroValues.boxed} makes such arrays
 * (vectors, logits, embeddings), and Avro's own writer would box each element on the way out. The
 * bytes are the same as Avro's own.
 */
final class FloatArrays {
  private FloatArrays() {}

  static boolean isFloatArray(Schema array) {
    Schema items = array.getElementType();
    return items.getType() == Schema.Type.FLOAT && items.getLogicalType() == null;
  }

  /** A specific writer that writes {@link PrimitivesArrays.FloatArray}s without boxing. */
  static final class Writer<T> extends SpecificDatumWriter<T> {
    Writer(Schema schema, SpecificData data) {
      super(schema, data);
    }

    @Override
    protected void writeArray(Schema schema, Object datum, Encoder out) throws IOException {
      if (!(datum instanceof PrimitivesArrays.FloatArray floats) || !isFloatArray(schema)) {
        super.writeArray(schema, datum, out);
        return;
      }
      int size = floats.size();
      out.writeArrayStart();
      out.setItemCount(size);
      for (int i = 0; i < size; i++) {
        out.startItem();
        out.writeFloat(floats.getFloat(i));
      }
      out.writeArrayEnd();
    }
  }
}
