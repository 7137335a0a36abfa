package io.streamdistill.serde;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro's specific reader and writer, with {@code array<float>} kept in an unboxed
 * {@link PrimitivesArrays.FloatArray}: vectors, logits and embeddings are hundreds of floats per
 * record, and Avro's own reader and writer box every one of them. The reader makes such arrays and
 * {@code AvroValues.boxed} makes them; the writer writes them unboxed. The bytes and the values are
 * the same as Avro's own; schema resolution (an int or long writer field read as float) is Avro's.
 */
final class FloatArrays {
  /** No more elements than this are allocated ahead of reading them (a corrupt count is not trusted). */
  private static final int MAX_PREALLOCATED = 1 << 16;
  /** Bytes of one bulk read: 16 KiB, 4,096 floats (a longer block is read in several). */
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);
  private static final VarHandle LITTLE_ENDIAN_FLOAT =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  private FloatArrays() {}

  static boolean isFloatArray(Schema array) {
    Schema items = array.getElementType();
    return items.getType() == Schema.Type.FLOAT && items.getLogicalType() == null;
  }

  /**
   * A specific reader that reads {@code array<float>} into a {@link PrimitivesArrays.FloatArray}.
   * Avro's fast reader is off for it: that one builds boxed arrays and never calls
   * {@link #readArray}. The records' own logical-type conversions still apply (a generated record
   * carries them).
   */
  static final class Reader<T> extends SpecificDatumReader<T> {
    Reader(Schema writer, Schema reader, SpecificData model) {
      super(writer, reader, withoutFastReader(model));
    }

    private static SpecificData withoutFastReader(SpecificData model) {
      SpecificData data = new SpecificData(model.getClassLoader());
      model.getConversions().forEach(data::addLogicalTypeConversion);
      data.setFastReaderEnabled(false);
      return data;
    }

    @Override
    protected Object readArray(Object old, Schema expected, ResolvingDecoder in) throws IOException {
      return isFloatArray(expected) ? FloatArrays.read(expected, in) : super.readArray(old, expected, in);
    }
  }

  /** An {@code array<float>} from {@code in} (Avro's resolving decoder or a plain binary one), unboxed. */
  static PrimitivesArrays.FloatArray read(Schema array, Decoder in) throws IOException {
    if (in instanceof BinaryDecoder binary) {
      return read(array, binary);
    }
    long count = in.readArrayStart();
    PrimitivesArrays.FloatArray floats = new PrimitivesArrays.FloatArray(preallocated(count), array);
    for (int i = 0; count > 0; count = in.arrayNext()) {
      for (long k = 0; k < count; k++) {
        floats.add(i++, in.readFloat());
      }
    }
    return floats;
  }

  /**
   * The same from a plain binary decoder (writer and reader schema the same: {@link DirectReader}),
   * in bulk: a block's floats are its count times four little-endian bytes, read at once and
   * converted from a per-thread buffer, rather than one {@code readFloat} (with its bounds checks) each.
   */
  static PrimitivesArrays.FloatArray read(Schema array, BinaryDecoder in) throws IOException {
    long count = in.readArrayStart();
    PrimitivesArrays.FloatArray floats = new PrimitivesArrays.FloatArray(preallocated(count), array);
    byte[] buffer = BUFFER.get();
    for (int i = 0; count > 0; count = in.arrayNext()) {
      for (long left = count; left > 0; ) {
        int n = (int) Math.min(left, buffer.length / Float.BYTES);
        in.readFixed(buffer, 0, n * Float.BYTES);
        for (int k = 0; k < n; k++) {
          floats.add(i++, (float) LITTLE_ENDIAN_FLOAT.get(buffer, k * Float.BYTES));
        }
        left -= n;
      }
    }
    return floats;
  }

  /** How many elements to allocate ahead of reading {@code count}: a corrupt count is not trusted. */
  static int preallocated(long count) {
    return (int) Math.min(Math.max(count, 0), MAX_PREALLOCATED);
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
