package io.streamdistill.teacher.training;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which examples are kept apart for testing: those whose id hashes (SHA-256) into the first
 * {@code testPercent} of 10,000 buckets. The choice depends on the id alone, so it is the same in
 * every run, on every machine, whatever the order of the file or the other examples in it; an
 * example added later never moves another one between the splits.
 */
public final class TestSplit {
  private static final int BUCKETS = 10_000;

  private TestSplit() {}

  /** Whether the example with this id belongs to the test split at {@code testPercent} (0 to 100). */
  public static boolean isTest(String id, double testPercent) {
    return bucket(id) < testPercent * (BUCKETS / 100.0);
  }

  /** The id's bucket in [0, 10000). */
  static int bucket(String id) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (hash[i] & 0xff);
      }
      return (int) Long.remainderUnsigned(value, BUCKETS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
