package io.streamdistill.reliability.traffic;

import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherRef;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VersionSigner;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Good student versions for the edge cases, signed as the trainer signs them: a small MLP (784 -> 16
 * -> 10) whose version {@code v} answers digit {@code v % 10} with probability about 0.9999 whatever
 * the input. So an answer names the version that computed it twice (its modelVersion and its label),
 * and a request that saw half of one version and half of another would show.
 */
public final class EdgeVersions {
  public static final MlpSpec SPEC = new MlpSpec(MnistTraffic.DIGITS, 784, List.of(16));

  private final String model;
  private final VersionSigner signer;

  public EdgeVersions(String model, KeyPair keys) {
    this.model = model;
    this.signer = new VersionSigner(keys);
  }

  public String model() {
    return model;
  }

  public VersionSigner signer() {
    return signer;
  }

  /** The digit version {@code v} answers. */
  public static String digitOf(long version) {
    return Long.toString(Math.floorMod(version, 10));
  }

  /** Version {@code v}, signed. */
  public StudentModelVersion good(long version) {
    return signer.sign(unsigned(version, SPEC, StudentWeights.F32_V1, weights(version).encode()));
  }

  /** Weights whose output bias makes the version's digit win by far; small noise makes each version's bytes its own. */
  public static StudentWeights weights(long version) {
    Random random = new Random(version);
    StudentWeights weights = new StudentWeights();
    for (var entry : SPEC.parameterShapes().entrySet()) {
      int n = Arrays.stream(entry.getValue()).reduce(1, (a, b) -> a * b);
      float[] values = new float[n];
      for (int i = 0; i < n; i++) {
        values[i] = (float) random.nextGaussian() * 1e-3f;
      }
      weights.put(entry.getKey(), entry.getValue(), values);
    }
    weights.get(MlpSpec.biasName(SPEC.hidden().size())).values()[Math.floorMod(version, 10)] = 12f;
    return weights;
  }

  /** An unsigned version with any spec, format and weight bytes. */
  public StudentModelVersion unsigned(long version, StudentSpec spec, String format, byte[] weights) {
    return StudentModelVersion.newBuilder()
        .setModelName(model)
        .setVersion(version)
        .setCreatedAt(Instant.now())
        .setArchitecture(spec.toJson())
        .setClasses(spec.classes())
        .setWeightsFormat(format)
        .setWeights(ByteBuffer.wrap(weights))
        .setWeightsSha256("")
        .setMetrics(Map.of("heldout.agreement", 0.99))
        .setLineage(Lineage.newBuilder()
            .setParentVersion(version > 1 ? version - 1 : null)
            .setTrainedThrough(List.of(new InputPosition("reliability.soft-labels", 0, 1_000L * version)))
            .setTeachers(List.of(new TeacherRef("reliability-teacher", "v1")))
            .build())
        .setSignature(ByteBuffer.allocate(0))
        .setSigningKeyId("")
        .build();
  }
}
