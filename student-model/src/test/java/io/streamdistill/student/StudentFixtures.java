package io.streamdistill.student;

import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherRef;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small specs, random weights and signed versions, for tests of this module, the trainer and the edge. */
public final class StudentFixtures {
  public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
  public static final List<String> MAIL = List.of("ham", "spam");

  private StudentFixtures() {}

  public static MlpSpec tinyMlp() {
    return new MlpSpec(DIGITS, 784, List.of(16));
  }

  public static NgramSpec tinyNgram() {
    return new NgramSpec(MAIL, new NgramFeaturizer.Settings(1 << 12, 2, 3, 4, true, 200), 8);
  }

  /** bytes (log, mean 2, sd 0.5), duration (mean 10, sd 4), proto {tcp, udp}, flag {SF}: 7 features. */
  public static FieldSpec tinyFields() {
    return new FieldSpec(
        List.of(new FieldSpec.NumericField("bytes", true, 2, 0.5),
            new FieldSpec.NumericField("duration", false, 10, 4)),
        List.of(new FieldSpec.CategoricalField("proto", List.of("tcp", "udp")),
            new FieldSpec.CategoricalField("flag", List.of("SF"))));
  }

  /** A small structured-record student over {@link #tinyFields()}, two classes. */
  public static MlpSpec tinyFieldsMlp() {
    return MlpSpec.overFields(List.of("normal", "attack"), tinyFields(), List.of(8));
  }

  /** A small cnn: 3 classes over 3 planes of 7x6 (odd rows: the pooling drops the last), 2 then 3 filters, hidden 4. */
  public static ConvSpec tinyCnn() {
    return new ConvSpec(List.of("a", "b", "c"), 3, 7, 6, List.of(2, 3), List.of(4), 127.5f, 1f / 255);
  }

  /** Weights with every parameter drawn from N(0, scale^2), reproducibly. */
  public static StudentWeights randomWeights(StudentSpec spec, long seed, float scale) {
    Random random = new Random(seed);
    StudentWeights weights = new StudentWeights();
    for (var entry : spec.parameterShapes().entrySet()) {
      long n = 1;
      for (int d : entry.getValue()) {
        n *= d;
      }
      float[] values = new float[(int) n];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian() * scale;
      }
      weights.put(entry.getKey(), entry.getValue(), values);
    }
    return weights;
  }

  /** An unsigned version of the spec with the weights (sign it with a {@link VersionSigner}). */
  public static StudentModelVersion unsignedVersion(String modelName, long version, StudentSpec spec,
      StudentWeights weights) {
    return unsignedVersion(modelName, version, spec, StudentWeights.F32_V1, weights.encode());
  }

  /** An unsigned {@value QuantizedWeights#INT8_V1} version of the spec with the quantized weights. */
  public static StudentModelVersion unsignedVersion(String modelName, long version, StudentSpec spec,
      QuantizedWeights weights) {
    return unsignedVersion(modelName, version, spec, QuantizedWeights.INT8_V1, weights.encode());
  }

  /** An unsigned version with any format label and bytes, e.g. to prove that a wrong label is caught. */
  public static StudentModelVersion unsignedVersion(String modelName, long version, StudentSpec spec,
      String weightsFormat, byte[] weights) {
    return StudentModelVersion.newBuilder()
        .setModelName(modelName)
        .setVersion(version)
        .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L + version))
        .setArchitecture(spec.toJson())
        .setClasses(spec.classes())
        .setWeightsFormat(weightsFormat)
        .setWeights(ByteBuffer.wrap(weights))
        .setWeightsSha256("")
        .setMetrics(Map.of("heldout.agreement", 0.9))
        .setLineage(Lineage.newBuilder()
            .setParentVersion(version > 1 ? version - 1 : null)
            .setTrainedThrough(List.of(new InputPosition("distill.soft-labels", 0, 100L * version)))
            .setTeachers(List.of(new TeacherRef("mnist-mlp-1200", "abc")))
            .build())
        .setSignature(ByteBuffer.allocate(0))
        .setSigningKeyId("")
        .build();
  }

  public static float[] randomVector(Random random, int size) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = random.nextFloat();
    }
    return v;
  }
}
