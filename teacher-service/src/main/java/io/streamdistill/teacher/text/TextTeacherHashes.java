package io.streamdistill.teacher.text;

import io.streamdistill.student.NgramFeaturizer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The hashes that name a text teacher: its version (what decides its outputs) and the mail preset's
 * training key (what decides whether a directory made before can be reused). Stateless.
 */
final class TextTeacherHashes {
  private TextTeacherHashes() {}

  /** The key a mail teacher directory is reused under: everything that changes what training makes. */
  static String trainingKey(String encoderFingerprint, TextTeacherTrainer.Options options, String corpusName) {
    String text = "kind=" + OnnxTextTeacherLoader.KIND + "\nencoder=" + encoderFingerprint + "\nmaxTokens="
        + options.maxTokens() + "\nl2=" + options.l2() + "\niterations=" + options.iterations() + "\nseed="
        + options.seed() + "\nbatchSize=" + options.batchSize() + "\nsplit=" + MailSplit.NAME + "\ncorpus="
        + corpusName + "\n"
        + (options.ngrams() == null ? "" : "ngrams=" + NgramBlock.describe(options.ngrams()) + "\n");
    return sha256Hex(text);
  }

  /**
   * The teacher's version: a content hash of what decides its outputs (the head's bytes, the
   * encoder, the token cut, the pooling and the class names), so the same teacher always has the
   * same version and a changed one never does.
   */
  static String version(String headSha256, String encoderFingerprint, int maxTokens, OnnxTextModel.Pooling pooling,
      List<String> classes, NgramFeaturizer.Settings ngrams) {
    return sha256Hex("head=" + headSha256 + "\nencoder=" + encoderFingerprint + "\nmaxTokens=" + maxTokens
        + "\npooling=" + pooling.label() + "\nclasses=" + String.join("\u0000", classes) + "\n"
        + (ngrams == null ? "" : "ngrams=" + NgramBlock.describe(ngrams) + "\n")).substring(0, 16);
  }

  private static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
