package io.streamdistill.serde;

import java.io.IOException;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.Utf8;

/**
 * Reads records written with the very schema they are read with (equal parsing canonical forms:
 * the same bytes mean the same fields), straight from the binary decoder: nothing to resolve, so
 * none of the {@code ResolvingDecoder}'s per-value grammar steps, which cost about 30 ns for each
 * float of an {@code array<float>} (25 µs for an MNIST soft label, against 5 µs read here). The values
 * are those Avro's specific reader makes: generated records, enums and fixed, {@code String}s where
 * the schema asks for them (else {@link Utf8}), {@code ByteBuffer}s, logical types converted by the
 * record's model, and {@code array<float>} unboxed in a {@link PrimitivesArrays.FloatArray}.
 *
 * <p>Records written with another schema go through Avro's resolving reader ({@link FloatArrays.Reader}).
 * Immutable and thread-safe.
 */
final class DirectReader<T> {
  private final Schema schema;
  private final SpecificData data;

  DirectReader(Schema schema, SpecificData data) {
    this.schema = schema;
    this.data = data;
  }

  /**
   * Whether bytes written with {@code writer} can be read with {@code reader} directly: the same
   * canonical form, and no schema asks for a Java class of its own ({@code java-class} and the like,
   * which only Avro's own reader honours).
   */
  static boolean applies(Schema writer, Schema reader) {
    return SchemaNormalization.parsingFingerprint64(writer) == SchemaNormalization.parsingFingerprint64(reader)
        && plain(reader, new IdentityHashMap<>());
  }

  private static boolean plain(Schema s, Map<Schema, Boolean> seen) {
    if (seen.put(s, Boolean.TRUE) != null) {
      return true;
    }
    if (s.getProp(SpecificData.CLASS_PROP) != null || s.getProp(SpecificData.KEY_CLASS_PROP) != null
        || s.getProp(SpecificData.ELEMENT_PROP) != null) {
      return false;
    }
    return switch (s.getType()) {
      case RECORD -> s.getFields().stream().allMatch(f -> f.getProp(SpecificData.CLASS_PROP) == null
          && f.getProp(SpecificData.KEY_CLASS_PROP) == null && plain(f.schema(), seen));
      case ARRAY -> plain(s.getElementType(), seen);
      case MAP -> plain(s.getValueType(), seen);
      case UNION -> s.getTypes().stream().allMatch(t -> plain(t, seen));
      default -> true;
    };
  }

  @SuppressWarnings("unchecked")
  T read(BinaryDecoder in) throws IOException {
    return (T) read(schema, in);
  }

  private Object read(Schema s, BinaryDecoder in) throws IOException {
    Object value = switch (s.getType()) {
      case RECORD -> record(s, in);
      case ENUM -> data.createEnum(s.getEnumSymbols().get(in.readEnum()), s);
      case ARRAY -> FloatArrays.isFloatArray(s) ? FloatArrays.read(s, in) : array(s, in);
      case MAP -> map(s, in);
      case UNION -> read(s.getTypes().get(in.readIndex()), in);
      case FIXED -> fixed(s, in);
      case STRING -> string(s, in);
      case BYTES -> in.readBytes(null);
      case INT -> in.readInt();
      case LONG -> in.readLong();
      case FLOAT -> in.readFloat();
      case DOUBLE -> in.readDouble();
      case BOOLEAN -> in.readBoolean();
      case NULL -> {
        in.readNull();
        yield null;
      }
    };
    LogicalType logical = s.getLogicalType();
    if (logical != null && value != null) {
      Conversion<?> conversion = data.getConversionFor(logical);
      if (conversion != null) {
        value = Conversions.convertToLogicalType(value, s, logical, conversion);
      }
    }
    return value;
  }

  private Object record(Schema s, BinaryDecoder in) throws IOException {
    IndexedRecord record = (IndexedRecord) data.newRecord(null, s);
    for (Schema.Field field : s.getFields()) {
      record.put(field.pos(), read(field.schema(), in));
    }
    return record;
  }

  @SuppressWarnings("unchecked")
  private Object array(Schema s, BinaryDecoder in) throws IOException {
    long count = in.readArrayStart();
    Collection<Object> array = (Collection<Object>) data.newArray(null, FloatArrays.preallocated(count), s);
    Schema element = s.getElementType();
    for (; count > 0; count = in.arrayNext()) {
      for (long k = 0; k < count; k++) {
        array.add(read(element, in));
      }
    }
    return array;
  }

  @SuppressWarnings("unchecked")
  private Object map(Schema s, BinaryDecoder in) throws IOException {
    long count = in.readMapStart();
    Map<Object, Object> map = (Map<Object, Object>) data.newMap(null, FloatArrays.preallocated(count));
    Schema values = s.getValueType();
    for (; count > 0; count = in.mapNext()) {
      for (long k = 0; k < count; k++) {
        Object key = string(s, in);
        map.put(key, read(values, in));
      }
    }
    return map;
  }

  private Object fixed(Schema s, BinaryDecoder in) throws IOException {
    GenericFixed fixed = (GenericFixed) data.createFixed(null, s);
    in.readFixed(fixed.bytes(), 0, s.getFixedSize());
    return fixed;
  }

  /** A {@code String} where the schema says so ({@code avro.java.string}), else a {@link Utf8}, as Avro's reader. */
  private static Object string(Schema s, BinaryDecoder in) throws IOException {
    return "String".equals(s.getProp(GenericData.STRING_PROP)) ? in.readString() : in.readString(null);
  }

}
