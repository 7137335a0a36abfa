package io.streamdistill.edge;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VersionDeltas;
import io.streamdistill.student.VersionSigner;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;

/**
 * Signed student versions for the edge's tests, made as the trainer will make them: StudentFixtures'
 * tiny MLP (784 -> 16 -> 10 digits), signed with {@link VersionSigner}. A "sure" version answers one
 * class with probability ~0.9998 whatever the input; an "unsure" one answers every class with 0.1.
 */
public final class TestVersions {
  public static final String MODEL = "mnist-edge";
  public static final KeyPair KEYS = SigningKeys.generate();
  public static final VersionSigner SIGNER = new VersionSigner(KEYS);
  public static final MlpSpec SPEC = StudentFixtures.tinyMlp();

  private TestVersions() {}

  /** A signed version that answers {@code digit} with probability ~0.9998 for every input. */
  public static StudentModelVersion sure(long version, int digit) {
    return SIGNER.sign(StudentFixtures.unsignedVersion(MODEL, version, SPEC, biased(digit, 12f)));
  }

  /** A signed version whose probabilities are 0.1 for every class and input. */
  public static StudentModelVersion unsure(long version) {
    return SIGNER.sign(StudentFixtures.unsignedVersion(MODEL, version, SPEC, biased(0, 0f)));
  }

  /**
   * A signed version whose probabilities are 0.1 for every class and input, calibrated by its trainer to answer alone
   * from {@code threshold} ({@code cascade.threshold} in its signed metrics).
   */
  public static StudentModelVersion unsureCalibrated(long version, double threshold) {
    StudentModelVersion unsigned = StudentFixtures.unsignedVersion(MODEL, version, SPEC, biased(0, 0f));
    unsigned.setMetrics(java.util.Map.of(io.streamdistill.student.CascadeCalibration.THRESHOLD, threshold));
    return SIGNER.sign(unsigned);
  }

  /** A signed version with random weights. */
  public static StudentModelVersion random(long version, long seed) {
    return SIGNER.sign(StudentFixtures.unsignedVersion(MODEL, version, SPEC,
        StudentFixtures.randomWeights(SPEC, seed, 0.1f)));
  }

  /**
   * What the trainer puts on the topic for versions 1..n of one line: every {@code wholeEvery}-th (and the first)
   * whole, the others patches to the version before ({@link VersionDeltas}); their whole forms are {@link #random}.
   */
  public static List<StudentModelVersion> chain(int n, int wholeEvery) {
    List<StudentModelVersion> wire = new java.util.ArrayList<>();
    StudentModelVersion before = null;
    for (int v = 1; v <= n; v++) {
      StudentModelVersion whole = random(v, v);
      wire.add((v - 1) % wholeEvery == 0 ? whole : VersionDeltas.against(whole, before, 1.0));
      before = whole;
    }
    return wire;
  }

  /** The same version with one weight byte flipped (after signing). */
  public static StudentModelVersion withFlippedWeightByte(StudentModelVersion signed, int position) {
    byte[] weights = AvroValues.bytes(signed.getWeights()).clone(); // changed below: a copy
    weights[position] ^= 0x01;
    return StudentModelVersion.newBuilder(signed).setWeights(ByteBuffer.wrap(weights)).build();
  }

  /** The same version signed by another key pair, which the node does not trust. */
  public static StudentModelVersion signedByAnotherKey(StudentModelVersion version) {
    return new VersionSigner(SigningKeys.generate()).sign(version);
  }

  /** The version with its weights cut short by 8 bytes, signed that way (hash and signature fit, the blob does not). */
  public static StudentModelVersion withTruncatedWeights(StudentModelVersion version) {
    byte[] weights = AvroValues.bytes(version.getWeights());
    return SIGNER.sign(StudentModelVersion.newBuilder(version)
        .setWeights(ByteBuffer.wrap(Arrays.copyOf(weights, weights.length - 8))).build());
  }

  public static StudentInput anyDigitImage() {
    float[] pixels = new float[SPEC.inputSize()];
    Arrays.fill(pixels, 0.5f);
    return StudentInput.ofVector(pixels);
  }

  /** All-zero weights but the output bias, which is {@code bias} for {@code digit}: logits independent of the input. */
  static StudentWeights biased(int digit, float bias) {
    StudentWeights weights = new StudentWeights();
    for (var entry : SPEC.parameterShapes().entrySet()) {
      int n = Arrays.stream(entry.getValue()).reduce(1, (a, b) -> a * b);
      weights.put(entry.getKey(), entry.getValue(), new float[n]);
    }
    int last = SPEC.hidden().size();
    weights.get(MlpSpec.biasName(last)).values()[digit] = bias;
    return weights;
  }

  public static List<String> digits() {
    return StudentFixtures.DIGITS;
  }
}
