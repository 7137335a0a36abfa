package io.streamdistill.serde;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro
 * binary encoding of the record.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /**
   * The schema id of a framed record.
   *
   * @throws AvroSerdeException if the bytes are not in the wire format
   */
  public static int schemaId(String topic, byte[] framed) {
    if (framed.length < HEADER_SIZE) {
      throw new AvroSerdeException(topic, -1,
          "not in Confluent's wire format: " + framed.length + " bytes, fewer than the " + HEADER_SIZE
              + "-byte header (magic byte 0 and a 4-byte schema id)", null);
    }
    if (framed[0] != MAGIC_BYTE) {
      throw new AvroSerdeException(topic, -1,
          String.format("not in Confluent's wire format: unknown magic byte 0x%02x (expected 0x00)", framed[0]),
          null);
    }
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }

  /** Writes the 5-byte header for a schema id into the start of {@code target}. */
  static void writeHeader(byte[] target, int schemaId) {
    target[0] = MAGIC_BYTE;
    target[1] = (byte) (schemaId >>> 24);
    target[2] = (byte) (schemaId >>> 16);
    target[3] = (byte) (schemaId >>> 8);
    target[4] = (byte) schemaId;
  }
}
