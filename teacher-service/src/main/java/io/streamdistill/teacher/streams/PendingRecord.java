package io.streamdistill.teacher.streams;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An input record waiting in a micro-batch, as kept in the batch store: the original bytes (for a
 * dead letter) and where it came from (for lineage). The decoded event is not stored: it is
 * decoded again after a restart, which is rare, rather than stored twice on every record.
 *
 * <p>The encoding is private to this service (a changelog topic nobody else reads): a version
 * byte, then the fields in order.
 */
record PendingRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
  private static final byte VERSION = 1;

  /**
   * Written into one array of the exact size (this runs for every event): the layout of
   * {@link DataOutputStream}, which {@link #decode} reads; a topic name is ASCII (Kafka allows no
   * other characters), so its modified UTF-8 is its ASCII bytes.
   */
  byte[] encode() {
    byte[] name = topic.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(1 + 2 + name.length + 4 + 8 + 8 + 4 + length(key) + 4 + length(value));
    out.put(VERSION).putShort((short) name.length).put(name).putInt(partition).putLong(offset).putLong(timestamp);
    putBytes(out, key);
    putBytes(out, value);
    return out.array();
  }

  private static int length(byte[] b) {
    return b == null ? 0 : b.length;
  }

  private static void putBytes(ByteBuffer out, byte[] b) {
    if (b == null) {
      out.putInt(-1);
    } else {
      out.putInt(b.length).put(b);
    }
  }

  static PendingRecord decode(byte[] encoded) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalStateException("batch store entry of unknown version " + version);
      }
      return new PendingRecord(in.readUTF(), in.readInt(), in.readLong(), in.readLong(), readBytes(in),
          readBytes(in));
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt batch store entry", e);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] b = new byte[length];
    in.readFully(b);
    return b;
  }
}
