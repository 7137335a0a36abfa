package io.streamdistill.reliability.traffic;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Ways to break Confluent's wire format (magic byte 0, 4-byte schema id, Avro binary), each of which a
 * decoder meets in practice: a producer with another serializer, a record from another registry, a
 * cut-off write. Each returns a new array.
 */
public final class WireBytes {
  private WireBytes() {}

  /** Random bytes whose first byte is not the magic byte: not the wire format at all. */
  public static byte[] garbage(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    bytes[0] = (byte) (1 + random.nextInt(255));
    return bytes;
  }

  public static byte[] wrongMagicByte(byte[] framed, Random random) {
    byte[] copy = framed.clone();
    copy[0] = (byte) (1 + random.nextInt(255));
    return copy;
  }

  /** The same body under another schema id (one the registry never gave out, or another topic's). */
  public static byte[] withSchemaId(byte[] framed, int schemaId) {
    byte[] copy = framed.clone();
    ByteBuffer.wrap(copy, 1, 4).putInt(schemaId);
    return copy;
  }

  /** The schema id of framed bytes. */
  public static int schemaId(byte[] framed) {
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }

  /** Cut somewhere inside the Avro body, as a write that stopped half-way. */
  public static byte[] truncated(byte[] framed, Random random) {
    int body = framed.length - 5;
    return Arrays.copyOf(framed, 5 + Math.max(1, (int) (body * (0.1 + 0.8 * random.nextDouble()))));
  }

  /** A valid record with bytes after it: two writes run together. */
  public static byte[] withTrailingBytes(byte[] framed, Random random) {
    byte[] copy = Arrays.copyOf(framed, framed.length + 1 + random.nextInt(16));
    for (int i = framed.length; i < copy.length; i++) {
      copy[i] = (byte) random.nextInt(256);
    }
    return copy;
  }
}
