package io.streamdistill.teacher.text;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeddings of a corpus kept on disk, so that retraining a head does not run the encoder again.
 *
 * <p>One file per encoder and setting (the caller names it after the encoder's fingerprint and the
 * token cut); inside, each entry is an example id, a hash of the text it embedded and the embedding.
 * An entry is used only for the same id with the same text, so a changed or added mail is embedded
 * anew and the rest is reused. The file is replaced atomically (written aside, then renamed), so it
 * is whole or absent; a file that cannot be read is ignored (and replaced on the next save), since
 * everything in it can be computed again.
 *
 * <p>Not thread-safe: one trainer fills it.
 */
final class EmbeddingCache {
  private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddingCache.class);
  private static final int MAGIC = 0x5344454d; // "SDEM"
  private static final int FORMAT = 1;

  private final Path file;
  private final int width;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private int unsaved;

  private record Entry(long textHash, float[] embedding) {}

  private EmbeddingCache(Path file, int width) {
    this.file = file;
    this.width = width;
  }

  /** The cache in {@code file}, with what the file holds when it exists and is readable. */
  static EmbeddingCache open(Path file, int width) {
    EmbeddingCache cache = new EmbeddingCache(file, width);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        DataInputStream data = new DataInputStream(in)) {
      if (data.readInt() != MAGIC || data.readInt() != FORMAT || data.readInt() != width) {
        throw new IOException("not an embedding cache of width " + width + " in format " + FORMAT);
      }
      int count = data.readInt();
      for (int i = 0; i < count; i++) {
        String id = data.readUTF();
        long textHash = data.readLong();
        float[] embedding = new float[width];
        for (int d = 0; d < width; d++) {
          embedding[d] = data.readFloat();
        }
        cache.entries.put(id, new Entry(textHash, embedding));
      }
      LOGGER.atInfo().addKeyValue("file", file).addKeyValue("embeddings", count).log("embedding cache read");
    } catch (NoSuchFileException e) {
      LOGGER.atDebug().addKeyValue("file", file).log("no embedding cache yet");
    } catch (IOException | RuntimeException e) {
      cache.entries.clear();
      LOGGER.atWarn().addKeyValue("file", file).log("embedding cache unreadable, ignored (it will be rebuilt): " + e);
    }
    return cache;
  }

  /** The cached embedding of this id and text, or null. */
  float[] get(String id, long textHash) {
    Entry entry = entries.get(id);
    return entry != null && entry.textHash == textHash ? entry.embedding.clone() : null;
  }

  void put(String id, long textHash, float[] embedding) {
    if (embedding.length != width) {
      throw new IllegalArgumentException("embedding of width " + embedding.length + ", cache width " + width);
    }
    entries.put(id, new Entry(textHash, embedding.clone()));
    unsaved++;
  }

  int size() {
    return entries.size();
  }

  /** Embeddings added since the last save. */
  int unsaved() {
    return unsaved;
  }

  /** Writes the cache atomically; a failure is logged, not thrown: the cache only saves time. */
  void save() {
    try {
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".partial");
      try {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16);
            DataOutputStream data = new DataOutputStream(out)) {
          data.writeInt(MAGIC);
          data.writeInt(FORMAT);
          data.writeInt(width);
          data.writeInt(entries.size());
          for (Map.Entry<String, Entry> entry : entries.entrySet()) {
            data.writeUTF(entry.getKey());
            data.writeLong(entry.getValue().textHash);
            for (float value : entry.getValue().embedding) {
              data.writeFloat(value);
            }
          }
        }
        EncoderFiles.moveAtomically(temp, file);
      } finally {
        Files.deleteIfExists(temp);
      }
      unsaved = 0;
      LOGGER.atDebug().addKeyValue("file", file).addKeyValue("embeddings", entries.size()).log("embedding cache saved");
    } catch (IOException e) {
      LOGGER.atWarn().addKeyValue("file", file).log("could not save the embedding cache: " + e);
    }
  }

  /** A 64-bit hash of a text (the top of its SHA-256): tells a changed mail from the cached one. */
  static long textHash(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(hash).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
