package io.streamdistill.reliability.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.VerificationException;
import io.streamdistill.student.VersionVerifier;
import java.security.KeyPair;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The edge's verifier, in process, against each kind of tampered version; and good versions answer their digit. */
class TamperedVersionsTest {
  private static final KeyPair KEYS = SigningKeys.generate();
  private static final EdgeVersions VERSIONS = new EdgeVersions("m", KEYS);
  private static final VersionVerifier VERIFIER = new VersionVerifier(List.of(KEYS.getPublic()));

  @Test
  void shouldMakeGoodVersionsThatAnswerTheirOwnDigit() throws VerificationException {
    for (long v = 1; v <= 12; v++) {
      var model = VERIFIER.verify(VERSIONS.good(v)).model();
      float[] probabilities = Softmax.probabilities(model.logits(StudentInput.ofVector(new float[784])), 1);
      int digit = Softmax.argMax(probabilities);
      assertEquals(EdgeVersions.digitOf(v), Integer.toString(digit));
      assertEquals(1.0, probabilities[digit], 1e-3);
    }
  }

  @Test
  void shouldMakeVersionsTheEdgeRejectsOfEveryKind() {
    StudentModelVersion served = VERSIONS.good(1);
    try (AvroBytes<StudentModelVersion> bytes = new AvroBytes<>(StudentModelVersion.class,
        Map.of("schema.registry.url", "mock://tampered"))) {
      TamperedVersions tampered = new TamperedVersions(VERSIONS, served, bytes, "models", new Random(3));
      Set<String> kinds = new HashSet<>();
      for (int n = 0; n < 3 * TamperedVersions.KINDS.size(); n++) {
        TamperedVersions.Tampered t = tampered.next(n, 2 + n);
        kinds.add(t.kind());
        switch (t.kind()) {
          case "unreadable-record" -> {
            assertEquals(TamperedVersions.UNREADABLE, t.number());
            assertThrows(RuntimeException.class, () -> bytes.read("models", t.value()));
          }
          // Both verify: the node refuses them by its own rules (not newer; not its model).
          case "replay-same-number" -> assertEquals(1, bytes.read("models", t.value()).getVersion());
          case "other-model" -> assertEquals("someone-elses-model", bytes.read("models", t.value()).getModelName());
          default -> {
            StudentModelVersion version = bytes.read("models", t.value());
            assertEquals(t.number(), version.getVersion(), t.kind());
            assertThrows(Exception.class, () -> VERIFIER.verify(version), t.kind());
          }
        }
      }
      assertEquals(Set.copyOf(TamperedVersions.KINDS), kinds);
    }
  }
}
