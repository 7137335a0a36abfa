package io.streamdistill.teacher.text;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The fixed train/test split of a corpus: an example is in the test split when a hash of its id
 * falls in the lowest {@value #TEST_PERCENT}% of the hash range.
 *
 * <p>Why a hash of the id: the split is the same on every run and every machine, does not depend
 * on the corpus' order or size (a mail added later does not move the others), and anyone holding an
 * id can tell which side it is on without the teacher's files, e.g. to evaluate a student on the
 * mails the teacher never saw.
 *
 * <pre>{@code
 * MailSplit.isTest("spamassassin/easy-ham-1/00001.7c53336b37003a9286aba55d2945844c");
 * }</pre>
 */
public final class MailSplit {
  /** Share of the examples in the test split, in percent. */
  public static final int TEST_PERCENT = 30;
  /** Names this split in teacher.json; change it if the rule below ever changes. */
  public static final String NAME = "sha256(mail-split/v1:id) < 30%";

  // Salted so the split is not correlated with any other hash of the ids (Kafka partitioning, ...).
  private static final byte[] SALT = "mail-split/v1:".getBytes(StandardCharsets.UTF_8);

  private MailSplit() {}

  /** Whether the example with this id is held out for testing. */
  public static boolean isTest(String id) {
    return position(id) < TEST_PERCENT / 100.0;
  }

  /** Where the id's hash falls in [0, 1). */
  static double position(String id) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(SALT);
      byte[] hash = digest.digest(id.getBytes(StandardCharsets.UTF_8));
      // The top 53 bits, as a double in [0, 1) with every value exactly representable.
      return (ByteBuffer.wrap(hash).getLong() >>> 11) * 0x1.0p-53;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
