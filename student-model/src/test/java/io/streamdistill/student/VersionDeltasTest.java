package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.WeightsDelta;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Versions as patches to their parent: exact, small where little moved, and refused when anything is off. */
class VersionDeltasTest {
  private static final KeyPair KEYS = SigningKeys.generate();
  private static final VersionSigner SIGNER = new VersionSigner(KEYS);
  private static final VersionVerifier VERIFIER = new VersionVerifier(List.of(KEYS.getPublic()));
  private static final NgramSpec SPEC = StudentFixtures.tinyNgram();

  /** Whole versions 1..n of an n-gram student whose training moves a few buckets (rows) per version. */
  private static List<StudentModelVersion> chain(int n, boolean int8) {
    Random random = new Random(5);
    StudentWeights weights = StudentFixtures.randomWeights(SPEC, 1, 0.3f);
    float[] embedding = weights.get(NgramSpec.EMBEDDING).values();
    int dim = SPEC.embeddingDim();
    List<StudentModelVersion> versions = new ArrayList<>();
    QuantizedWeights previous = null;
    for (int v = 1; v <= n; v++) {
      for (int moved = 0; moved < 20; moved++) {
        int row = random.nextInt(embedding.length / dim);
        for (int j = 0; j < dim; j++) {
          embedding[row * dim + j] += (float) random.nextGaussian() * 0.2f;
        }
      }
      for (int i = 0; i < embedding.length; i++) {
        embedding[i] += (float) random.nextGaussian() * 1e-5f; // what momentum does to every other row
      }
      StudentModelVersion unsigned;
      if (int8) {
        QuantizedWeights quantized = QuantizedWeights.quantize(weights, previous);
        previous = quantized;
        unsigned = StudentFixtures.unsignedVersion("mail", v, SPEC, quantized);
      } else {
        unsigned = StudentFixtures.unsignedVersion("mail", v, SPEC, weights);
      }
      versions.add(SIGNER.sign(unsigned));
    }
    return versions;
  }

  @Test
  void aChainOfPatchesGivesEveryVersionBackByteForByte() throws Exception {
    List<StudentModelVersion> whole = chain(8, true);
    StudentModelVersion base = whole.get(0);
    for (int i = 1; i < whole.size(); i++) {
      StudentModelVersion delta = VersionDeltas.against(whole.get(i), whole.get(i - 1), 0.5);
      assertNotNull(delta, "v" + (i + 1) + " as a patch");
      assertEquals(0, delta.getWeights().remaining(), "a delta carries no weights of its own");
      int full = whole.get(i).getWeights().remaining();
      assertTrue(VersionDeltas.wireWeightBytes(delta) < full / 20, "20 of 4,096 rows moved: a patch of "
          + VersionDeltas.wireWeightBytes(delta) + " bytes for " + full);
      StudentModelVersion rebuilt = VersionDeltas.apply(delta, base);
      assertArrayEquals(AvroValues.bytes(whole.get(i).getWeights()), AvroValues.bytes(rebuilt.getWeights()));
      assertNull(rebuilt.getWeightsDelta());
      VERIFIER.verify(rebuilt); // the signature and the SHA-256 of the whole weights
      base = rebuilt;
    }
  }

  @Test
  void floatWeightsPatchExactlyToo() throws Exception {
    List<StudentModelVersion> whole = chain(3, false);
    StudentModelVersion delta = VersionDeltas.against(whole.get(2), whole.get(1), 1.0);
    assertNotNull(delta);
    assertArrayEquals(AvroValues.bytes(whole.get(2).getWeights()),
        AvroValues.bytes(VersionDeltas.apply(delta, whole.get(1)).getWeights()));
  }

  @Test
  void aTamperedPatchAWrongBaseOrAnUnappliedDeltaIsRefusedWithTheReason() throws Exception {
    List<StudentModelVersion> whole = chain(3, true);
    StudentModelVersion delta = VersionDeltas.against(whole.get(2), whole.get(1), 0.5);

    VerificationException unapplied = assertThrows(VerificationException.class, () -> VERIFIER.verify(delta));
    assertTrue(unapplied.getMessage().contains("delta against v2"), unapplied.getMessage());

    VerificationException wrongBase = assertThrows(VerificationException.class,
        () -> VersionDeltas.apply(delta, whole.get(0)));
    assertTrue(wrongBase.getMessage().contains("v2, which this node does not hold (it holds v1)"),
        wrongBase.getMessage());
    assertThrows(VerificationException.class, () -> VersionDeltas.apply(delta, null));

    // A byte of the patch changed anywhere: it no longer inflates, or it inflates to weights whose SHA-256 is not
    // the signed one, or (a bit deflate never reads) to the very same weights. Never to other weights accepted.
    byte[] patch = AvroValues.bytes(delta.getWeightsDelta().getPatch());
    byte[] expected = AvroValues.bytes(whole.get(2).getWeights());
    int refused = 0;
    for (int position = 0; position < patch.length; position++) {
      byte[] flipped = patch.clone();
      flipped[position] ^= 0x10;
      StudentModelVersion tampered = StudentModelVersion.newBuilder(delta).setWeightsDelta(new WeightsDelta(2L,
          VersionDeltas.XOR_DEFLATE_V1, ByteBuffer.wrap(flipped))).build();
      try {
        StudentModelVersion rebuilt = VersionDeltas.apply(tampered, whole.get(1));
        VERIFIER.verify(rebuilt);
        assertArrayEquals(expected, AvroValues.bytes(rebuilt.getWeights()), "accepted only as the signed weights");
      } catch (VerificationException e) {
        assertTrue(e.getMessage().contains("patch") || e.getMessage().contains("SHA-256"), e.getMessage());
        refused++;
      }
    }
    assertTrue(refused > patch.length / 2, refused + " of " + patch.length + " flipped bytes refused");
    StudentModelVersion unknown = StudentModelVersion.newBuilder(delta).setWeightsDelta(new WeightsDelta(2L,
        "bsdiff", ByteBuffer.wrap(patch))).build();
    assertTrue(assertThrows(VerificationException.class, () -> VersionDeltas.apply(unknown, whole.get(1)))
        .getMessage().contains("unknown delta encoding 'bsdiff'"));
    // A patch that inflates beyond its base's length (a zip bomb) is cut at that length and refused.
    StudentModelVersion bomb = StudentModelVersion.newBuilder(delta).setWeightsDelta(new WeightsDelta(2L,
        VersionDeltas.XOR_DEFLATE_V1, ByteBuffer.wrap(VersionDeltas.xorDeflate(new byte[10_000_000],
            new byte[10_000_000])))).build();
    assertThrows(VerificationException.class, () -> VersionDeltas.apply(bomb, whole.get(1)));
  }

  @Test
  void noDeltaWhereItCannotBeOneOrDoesNotPay() {
    List<StudentModelVersion> int8 = chain(2, true);
    List<StudentModelVersion> f32 = chain(2, false);
    assertNull(VersionDeltas.against(int8.get(1), f32.get(0), 1.0), "another weights format");
    assertNull(VersionDeltas.against(int8.get(1), null, 1.0), "no parent");
    assertNull(VersionDeltas.against(int8.get(1), int8.get(0), 0.0001), "a patch over the share");
    StudentModelVersion delta = VersionDeltas.against(int8.get(1), int8.get(0), 0.5);
    assertNull(VersionDeltas.against(int8.get(1), delta, 1.0), "a base that is itself a delta");
  }

  @Test
  void rebuildAllRebuildsEachDeltaOnTheVersionBeforeIt() throws Exception {
    List<StudentModelVersion> whole = chain(5, true);
    List<StudentModelVersion> wire = new ArrayList<>(List.of(whole.get(0)));
    for (int i = 1; i < whole.size(); i++) {
      wire.add(i == 3 ? whole.get(i) : VersionDeltas.against(whole.get(i), whole.get(i - 1), 0.5));
    }
    List<StudentModelVersion> rebuilt = VersionDeltas.rebuildAll(wire);
    for (int i = 0; i < whole.size(); i++) {
      assertArrayEquals(AvroValues.bytes(whole.get(i).getWeights()), AvroValues.bytes(rebuilt.get(i).getWeights()));
      VERIFIER.verify(rebuilt.get(i));
    }
    List<StudentModelVersion> orphan = VersionDeltas.rebuildAll(wire.subList(1, 3));
    assertThrows(VerificationException.class, () -> VERIFIER.verify(orphan.get(0)), "its base is not in the list");
  }

  @Test
  void stickyQuantizationKeepsRowsThatMovedLessThanAStepAndStaysWithinAStep() {
    StudentWeights weights = StudentFixtures.randomWeights(SPEC, 3, 0.3f);
    QuantizedWeights first = QuantizedWeights.quantize(weights);
    float[] embedding = weights.get(NgramSpec.EMBEDDING).values();
    embedding[0] += 1f; // row 0 moves a lot
    for (int i = SPEC.embeddingDim(); i < embedding.length; i++) {
      embedding[i] += 1e-6f; // the others barely
    }
    QuantizedWeights second = QuantizedWeights.quantize(weights, first);
    var was = (QuantizedWeights.Int8Tensor) first.get(NgramSpec.EMBEDDING);
    var now = (QuantizedWeights.Int8Tensor) second.get(NgramSpec.EMBEDDING);
    int dim = SPEC.embeddingDim();
    assertTrue(was.scales()[0] != now.scales()[0], "row 0 moved: quantized afresh");
    for (int r = 1; r < now.scales().length; r++) {
      assertEquals(was.scales()[r], now.scales()[r], "row " + r + " kept");
    }
    float[] dequantized = second.dequantize().get(NgramSpec.EMBEDDING).values();
    for (int i = 0; i < embedding.length; i++) {
      assertTrue(Math.abs(dequantized[i] - embedding[i]) <= now.scales()[i / dim] * 1.0001f, "within a step at " + i);
    }
  }
}
