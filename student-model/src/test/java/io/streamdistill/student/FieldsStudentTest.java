package io.streamdistill.student;

import static io.streamdistill.student.FieldSpecTest.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The structured-record student ({@code fields-mlp}): the featurizer, then the MLP, float and int8, and verified. */
class FieldsStudentTest {
  private static final MlpSpec SPEC = StudentFixtures.tinyFieldsMlp();
  /** The same network over the feature vector. */
  private static final MlpSpec OVER_VECTOR = new MlpSpec(SPEC.classes(), SPEC.inputSize(), SPEC.hidden());
  private static final StudentWeights WEIGHTS = StudentFixtures.randomWeights(SPEC, 11, 0.5f);
  private static final FieldFeaturizer FEATURIZER = new FieldFeaturizer(SPEC.fields());

  @Test
  void shouldComputeTheMlpOfTheRecordsFeatures() {
    StudentModel model = StudentModel.create(SPEC, WEIGHTS);
    StudentModel overVector = StudentModel.create(OVER_VECTOR, WEIGHTS);
    for (Map<String, ?> r : records(200)) {
      assertArrayEquals(overVector.logits(StudentInput.ofVector(FEATURIZER.featurize(r))),
          model.logits(StudentInput.ofFields(r)), 0f, r.toString());
    }
  }

  @Test
  void shouldComputeTheInt8MlpOfTheRecordsFeatures() {
    QuantizedWeights quantized = QuantizedWeights.quantize(WEIGHTS);
    StudentModel int8 = StudentModel.create(SPEC, quantized);
    StudentModel int8OverVector = StudentModel.create(OVER_VECTOR, quantized);
    StudentModel reference = StudentModel.create(SPEC, quantized.dequantize());
    int agree = 0;
    List<Map<String, Object>> records = records(500);
    for (Map<String, ?> r : records) {
      float[] logits = int8.logits(StudentInput.ofFields(r));
      assertArrayEquals(int8OverVector.logits(StudentInput.ofVector(FEATURIZER.featurize(r))), logits, 0f);
      agree += Softmax.argMax(logits) == Softmax.argMax(reference.logits(StudentInput.ofFields(r))) ? 1 : 0;
    }
    assertTrue(agree >= 0.97 * records.size(),
        agree + " of " + records.size() + " agree with the dequantized float model");
  }

  @Test
  void shouldRefuseAnInputWithoutFieldsOrWithABadField() {
    StudentModel model = StudentModel.create(SPEC, WEIGHTS);
    assertThrows(InputMismatchException.class, () -> model.logits(StudentInput.ofVector(new float[SPEC.inputSize()])));
    var e = assertThrows(InputMismatchException.class, () -> model.logits(StudentInput.ofFields(record("bytes", "x"))));
    assertTrue(e.getMessage().contains("'bytes'"), e.getMessage());
  }

  @Test
  void shouldVerifyASignedFieldsVersionFloatAndInt8() throws Exception {
    KeyPair keys = SigningKeys.generate();
    VersionSigner signer = new VersionSigner(keys);
    VersionVerifier verifier = new VersionVerifier(List.of(keys.getPublic()));
    Map<String, Object> r = record("bytes", 1500.0, "duration", 3.0, "proto", "udp", "flag", "S0");
    VersionVerifier.Verified f32 =
        verifier.verify(signer.sign(StudentFixtures.unsignedVersion("flows", 1, SPEC, WEIGHTS)));
    assertEquals(SPEC, f32.model().spec());
    assertArrayEquals(StudentModel.create(SPEC, WEIGHTS).logits(StudentInput.ofFields(r)),
        f32.model().logits(StudentInput.ofFields(r)));
    QuantizedWeights quantized = QuantizedWeights.quantize(WEIGHTS);
    VersionVerifier.Verified int8 =
        verifier.verify(signer.sign(StudentFixtures.unsignedVersion("flows", 2, SPEC, quantized)));
    assertArrayEquals(StudentModel.create(SPEC, quantized).logits(StudentInput.ofFields(r)),
        int8.model().logits(StudentInput.ofFields(r)));
  }

  /** Records with every kind of value: log and plain numbers, seen, unseen and missing categories. */
  static List<Map<String, Object>> records(int n) {
    Random random = new Random(5);
    String[] protos = {"tcp", "udp", "icmp", null};
    String[] flags = {"SF", "S0", "REJ"};
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> record(
        "bytes", random.nextInt(10) == 0 ? null : Math.exp(random.nextDouble() * 10),
        "duration", random.nextGaussian() * 4 + 10,
        "proto", protos[random.nextInt(protos.length)],
        "flag", flags[random.nextInt(flags.length)],
        "ignored", random.nextDouble())).toList();
  }
}
