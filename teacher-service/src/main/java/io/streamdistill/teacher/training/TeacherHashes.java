package io.streamdistill.teacher.training;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.model.TeacherDirectory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * The hashes that identify a teacher of {@link TeacherTraining}: the fingerprint of the data and
 * options it was trained with (which {@link TeacherTraining#trainOrReuse} compares), and the
 * version of the files it was written as. Each string is hashed with its length in front, so no two
 * sequences of strings hash alike. Stateless.
 */
final class TeacherHashes {
  private TeacherHashes() {}

  /**
   * A SHA-256 over the options and every example of the source (id, label and payload, in order):
   * the same file read with the same flags gives the same fingerprint, any change to a label, a
   * value or an option another one.
   */
  static String fingerprint(ExampleSource source, TeacherTraining.Options options) {
    MessageDigest sha = newSha();
    update(sha, "options:" + options.key());
    update(sha, "size:" + source.size());
    ByteBuffer floats = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < source.size(); i++) {
      Example example = source.get(i);
      update(sha, "id:" + example.id());
      update(sha, "label:" + example.label());
      if (example.text() != null) {
        update(sha, "text:" + example.text());
      }
      if (example.vector() != null) {
        float[] vector = example.vector();
        if (floats.capacity() < vector.length * 4) {
          floats = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        }
        floats.clear();
        floats.asFloatBuffer().put(vector);
        update(sha, "vector:" + vector.length);
        sha.update(floats.array(), 0, vector.length * 4);
      }
      if (example.fields() != null) {
        // Sorted, with the value's type: 6.0 and "6" are different records.
        StringBuilder record = new StringBuilder("fields:");
        new TreeMap<>(example.fields()).forEach((k, v) -> record.append(k).append('=')
            .append(v == null ? "null" : v.getClass().getSimpleName() + ":" + v).append(';'));
        update(sha, record.toString());
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The fingerprint of a training set with its own test set: both sources' fingerprints, hashed. */
  static String fingerprint(ExampleSource trainSource, ExampleSource testSource, TeacherTraining.Options options) {
    return sha256(fingerprint(trainSource, options) + "+test:" + fingerprint(testSource, options));
  }

  /**
   * The version of the teacher whose {@code files} (names relative to {@code dir}) are written:
   * {@code sha256:} and the first 12 hex digits of a hash over each file's name and SHA-256 (the
   * weights and the input statistics) and the class names, in order. Two trainings that end in the
   * same teacher share it; two teachers that answer differently, if only in what they call a class,
   * never do, so that a soft label's teacher version always says which classes its logits are of.
   */
  static String version(Path dir, List<String> files, List<String> classes) {
    MessageDigest sha = newSha();
    for (String file : files) {
      update(sha, "file:" + file + "=" + TeacherDirectory.sha256(dir.resolve(file)));
    }
    for (String name : classes) {
      update(sha, "class:" + name);
    }
    return "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
  }

  private static String sha256(String text) {
    MessageDigest sha = newSha();
    update(sha, text);
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void update(MessageDigest sha, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    sha.update(bytes);
  }

  private static MessageDigest newSha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
