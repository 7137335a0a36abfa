package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.StudentModelVersion;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionVerifierTest {
  private static final KeyPair KEYS = SigningKeys.generate();
  private final VersionSigner signer = new VersionSigner(KEYS);
  private final VersionVerifier verifier = new VersionVerifier(List.of(KEYS.getPublic()));
  private final StudentWeights weights = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 3, 0.1f);
  private final StudentModelVersion signed =
      signer.sign(StudentFixtures.unsignedVersion("mnist-edge", 7, StudentFixtures.tinyMlp(), weights));

  @Test
  void shouldLoadASignedVersionThatComputesLikeItsWeights() throws Exception {
    VersionVerifier.Verified verified = verifier.verify(signed);
    float[] x = StudentFixtures.randomVector(new Random(1), 784);
    assertArrayEquals(StudentModel.create(StudentFixtures.tinyMlp(), weights).logits(StudentInput.ofVector(x)),
        verified.model().logits(StudentInput.ofVector(x)));
    assertEquals(SigningKeys.keyId(KEYS.getPublic()), signed.getSigningKeyId());
  }

  @Test
  void shouldRejectAVersionWithAnyWeightByteChanged() {
    byte[] bytes = signed.getWeights().array().clone();
    for (int position : new int[] {0, 100, bytes.length / 2, bytes.length - 1}) {
      byte[] tampered = bytes.clone();
      tampered[position] ^= 1;
      StudentModelVersion version =
          StudentModelVersion.newBuilder(signed).setWeights(ByteBuffer.wrap(tampered)).build();
      var e = assertThrows(VerificationException.class, () -> verifier.verify(version));
      assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }
  }

  @Test
  void shouldRejectAChangedSignatureOrSignedField() {
    byte[] signature = signed.getSignature().array().clone();
    signature[10] ^= 1;
    assertRejected(StudentModelVersion.newBuilder(signed).setSignature(ByteBuffer.wrap(signature)).build(),
        "signature");
    // An old version replayed under a higher number.
    assertRejected(StudentModelVersion.newBuilder(signed).setVersion(8).build(), "signature");
    assertRejected(StudentModelVersion.newBuilder(signed).setMetrics(Map.of("heldout.agreement", 0.99)).build(),
        "signature");
    // Weights and hash swapped together: the hash is signed.
    byte[] other = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 4, 0.1f).encode();
    assertRejected(StudentModelVersion.newBuilder(signed).setWeights(ByteBuffer.wrap(other))
        .setWeightsSha256(SigningKeys.sha256Hex(other)).build(), "signature");
  }

  @Test
  void shouldRejectAVersionSignedByAnUntrustedKey() {
    StudentModelVersion foreign = new VersionSigner(SigningKeys.generate())
        .sign(StudentFixtures.unsignedVersion("mnist-edge", 7, StudentFixtures.tinyMlp(), weights));
    assertRejected(foreign, "not trusted");
  }

  @Test
  void shouldRejectTruncatedWeightsEvenWhenSignedThatWay() {
    byte[] bytes = weights.encode();
    StudentModelVersion truncated = signer.sign(StudentModelVersion.newBuilder(signed)
        .setWeights(ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length - 8))).build());
    assertRejected(truncated, "truncated");
  }

  @Test
  void shouldReadBackTheKeysItWrote(@TempDir Path dir) throws Exception {
    SigningKeys.write(KEYS, dir.resolve("student.key"), dir.resolve("student.pub"));
    assertTrue(Files.readString(dir.resolve("student.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
    KeyPair read = new KeyPair(SigningKeys.readPublic(dir.resolve("student.pub")),
        SigningKeys.readPrivate(dir.resolve("student.key")));
    StudentModelVersion version = new VersionSigner(read).sign(signed);
    assertEquals(7, verifier.verify(version).version().getVersion());
    assertTrue(SigningKeys.matches(read));
    assertTrue(!SigningKeys.matches(new KeyPair(SigningKeys.generate().getPublic(), read.getPrivate())));
    var e = assertThrows(IllegalArgumentException.class, () -> SigningKeys.readPublic(dir.resolve("student.key")));
    assertTrue(e.getMessage().contains("PUBLIC KEY"), e.getMessage());
  }

  @Test
  void shouldLoadASignedInt8VersionThatComputesLikeItsQuantizedWeights() throws Exception {
    QuantizedWeights quantized = QuantizedWeights.quantize(weights);
    StudentModelVersion version = signer.sign(StudentFixtures.unsignedVersion("mnist-edge", 8,
        StudentFixtures.tinyMlp(), quantized));
    VersionVerifier.Verified verified = verifier.verify(version);
    float[] x = StudentFixtures.randomVector(new Random(1), 784);
    assertArrayEquals(StudentModel.create(StudentFixtures.tinyMlp(), quantized).logits(StudentInput.ofVector(x)),
        verified.model().logits(StudentInput.ofVector(x)));
    StudentSpec ngram = StudentFixtures.tinyNgram();
    QuantizedWeights text = QuantizedWeights.quantize(StudentFixtures.randomWeights(ngram, 3, 0.1f));
    StudentModel textModel =
        verifier.verify(signer.sign(StudentFixtures.unsignedVersion("mail-edge", 1, ngram, text))).model();
    assertArrayEquals(StudentModel.create(ngram, text).logits(StudentInput.ofText("cheap pills")),
        textModel.logits(StudentInput.ofText("cheap pills")));
  }

  @Test
  void shouldRejectATamperedInt8Version() {
    StudentModelVersion version = signer.sign(StudentFixtures.unsignedVersion("mnist-edge", 8,
        StudentFixtures.tinyMlp(), QuantizedWeights.quantize(weights)));
    byte[] tampered = version.getWeights().array().clone();
    tampered[tampered.length / 2] ^= 1;
    assertRejected(StudentModelVersion.newBuilder(version).setWeights(ByteBuffer.wrap(tampered)).build(), "SHA-256");
    // Relabelled as float: the format is signed.
    assertRejected(StudentModelVersion.newBuilder(version).setWeightsFormat(StudentWeights.F32_V1).build(),
        "signature");
  }

  @Test
  void shouldRejectAnUnknownFormatOrBytesOfAnotherFormatEvenWhenSigned() {
    assertRejected(signer.sign(StudentFixtures.unsignedVersion("mnist-edge", 9, StudentFixtures.tinyMlp(), "int4-v1",
        QuantizedWeights.quantize(weights).encode())), "unknown weights format 'int4-v1'");
    assertRejected(signer.sign(StudentFixtures.unsignedVersion("mnist-edge", 9, StudentFixtures.tinyMlp(),
        QuantizedWeights.INT8_V1, weights.encode())), "magic 'SDQ1'");
    assertRejected(signer.sign(StudentFixtures.unsignedVersion("mnist-edge", 9, StudentFixtures.tinyMlp(),
        StudentWeights.F32_V1, QuantizedWeights.quantize(weights).encode())), "magic 'SDW1'");
  }

  private void assertRejected(StudentModelVersion version, String reason) {
    var e = assertThrows(VerificationException.class, () -> verifier.verify(version));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }
}
