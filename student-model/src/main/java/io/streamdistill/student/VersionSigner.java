package io.streamdistill.student;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.StudentModelVersion;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;

/**
 * Signs student versions with an Ed25519 key pair: sets {@code weightsSha256}, {@code
 * signingKeyId} and {@code signature}. Thread-safe (a {@link Signature} per call).
 */
public final class VersionSigner {
  private final KeyPair keys;
  private final String keyId;

  public VersionSigner(KeyPair keys) {
    if (!SigningKeys.ALGORITHM.equalsIgnoreCase(keys.getPrivate().getAlgorithm())
        && !"EdDSA".equalsIgnoreCase(keys.getPrivate().getAlgorithm())) {
      throw new IllegalArgumentException("signing needs an Ed25519 key, got " + keys.getPrivate().getAlgorithm());
    }
    this.keys = keys;
    this.keyId = SigningKeys.keyId(keys.getPublic());
  }

  public String keyId() {
    return keyId;
  }

  /** A signed copy of the version (the argument is not changed). */
  public StudentModelVersion sign(StudentModelVersion unsigned) {
    byte[] weights = AvroValues.bytes(unsigned.getWeights());
    StudentModelVersion version = StudentModelVersion.newBuilder(unsigned)
        .setWeightsSha256(SigningKeys.sha256Hex(weights))
        .setSigningKeyId(keyId)
        .setSignature(ByteBuffer.allocate(0))
        .build();
    try {
      Signature signature = Signature.getInstance(SigningKeys.ALGORITHM);
      signature.initSign(keys.getPrivate());
      signature.update(SignedContent.of(version));
      version.setSignature(ByteBuffer.wrap(signature.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not sign version " + unsigned.getVersion() + ": " + e.getMessage(), e);
    }
    return version;
  }
}
