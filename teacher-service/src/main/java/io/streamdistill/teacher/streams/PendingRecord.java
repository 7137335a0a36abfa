package io.streamdistill.teacher.streams;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

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

  byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length + 64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeUTF(topic);
      out.writeInt(partition);
      out.writeLong(offset);
      out.writeLong(timestamp);
      writeBytes(out, key);
      writeBytes(out, value);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
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
