package io.streamdistill.student;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.StudentModelVersion;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies a published version before anything of it is used, in this order: the signing key is
 * trusted, the Ed25519 signature over the version's content is valid, the weights' SHA-256 is the
 * signed one, the weight format is known ({@value StudentWeights#F32_V1} or {@value
 * QuantizedWeights#INT8_V1}), the spec parses and the weights are exactly its parameters. Only then
 * is the model built, float or int8 as the format says. Thread-safe.
 *
 * <pre>{@code
 * VersionVerifier verifier = new VersionVerifier(List.of(SigningKeys.readPublic(path)));
 * Verified verified = verifier.verify(record.value()); // throws VerificationException with the reason
 * }</pre>
 */
public final class VersionVerifier {
  private final Map<String, PublicKey> trusted = new LinkedHashMap<>();

  public VersionVerifier(List<PublicKey> trustedKeys) {
    if (trustedKeys.isEmpty()) {
      throw new IllegalArgumentException("a verifier needs at least one trusted public key");
    }
    for (PublicKey key : trustedKeys) {
      trusted.put(SigningKeys.keyId(key), key);
    }
  }

  /** A version that passed every check, with its model built. */
  public record Verified(StudentModelVersion version, StudentModel model) {}

  public Verified verify(StudentModelVersion version) throws VerificationException {
    String where = version.getModelName() + " v" + version.getVersion();
    if (VersionDeltas.isDelta(version)) {
      throw new VerificationException(where + " is a delta against v" + version.getWeightsDelta().getBaseVersion()
          + ": apply it to its base first (VersionDeltas.apply)");
    }
    PublicKey key = trusted.get(version.getSigningKeyId());
    if (key == null) {
      throw new VerificationException(where + ": signed by key " + version.getSigningKeyId()
          + ", which is not trusted (trusted: " + trusted.keySet() + ")");
    }
    try {
      Signature signature = Signature.getInstance(SigningKeys.ALGORITHM);
      signature.initVerify(key);
      signature.update(SignedContent.of(version));
      if (!signature.verify(AvroValues.bytes(version.getSignature()))) {
        throw new VerificationException(where + ": the signature does not match the version's content");
      }
    } catch (GeneralSecurityException e) {
      throw new VerificationException(where + ": the signature cannot be checked: " + e.getMessage(), e);
    }
    byte[] weights = AvroValues.bytes(version.getWeights());
    String sha256 = SigningKeys.sha256Hex(weights);
    if (!sha256.equals(version.getWeightsSha256())) {
      throw new VerificationException(where + ": the weights' SHA-256 is " + sha256 + ", the signed one is "
          + version.getWeightsSha256());
    }
    String format = version.getWeightsFormat();
    if (!StudentWeights.F32_V1.equals(format) && !QuantizedWeights.INT8_V1.equals(format)) {
      throw new VerificationException(where + ": unknown weights format '" + format + "' (known: "
          + StudentWeights.F32_V1 + ", " + QuantizedWeights.INT8_V1 + ")");
    }
    try {
      StudentSpec spec = StudentSpec.fromJson(version.getArchitecture());
      if (!spec.classes().equals(version.getClasses())) {
        throw new VerificationException(where + ": the architecture's classes " + spec.classes()
            + " are not the version's " + version.getClasses());
      }
      StudentModel model = StudentWeights.F32_V1.equals(format)
          ? StudentModel.create(spec, StudentWeights.decode(weights))
          : StudentModel.create(spec, QuantizedWeights.decode(weights));
      return new Verified(version, model);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(where + ": " + e.getMessage(), e);
    }
  }
}
