package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.trainer.stream.VersionGate.Outcome;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class VersionGateTest {
  private final VersionGate gate = new VersionGate(0.8, 0.01, 100);

  @Test
  void shouldPublishAFirstVersionOnlyAboveTheMinimumAgreement() {
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.85, OptionalDouble.empty()).outcome());
    VersionGate.Decision refused = gate.decide(500, 0.75, OptionalDouble.empty());
    assertEquals(Outcome.REJECT, refused.outcome());
    assertTrue(refused.reason().contains("0.7500 < minimum 0.8000"), refused.reason());
  }

  @Test
  void shouldRefuseACompressedCandidateThatLostMoreThanAllowedAgainstItsFloatSelf() {
    VersionGate.Decision lossy = gate.decideCompressed(500, 0.90, 0.93, 0.02, OptionalDouble.of(0.85));
    assertEquals(Outcome.REJECT, lossy.outcome(), "better than the version in service, but compression cost 0.03");
    assertTrue(lossy.reason().contains("compression lost 0.0300"), lossy.reason());
    assertEquals(Outcome.PUBLISH, gate.decideCompressed(500, 0.92, 0.93, 0.02, OptionalDouble.of(0.85)).outcome());
    assertEquals(Outcome.REJECT, gate.decideCompressed(500, 0.92, 0.93, 0.02, OptionalDouble.of(0.95)).outcome(),
        "a cheap compression still has to pass the usual comparison");
  }

  @Test
  void shouldRefuseACandidateWorseThanTheVersionInServiceByMoreThanTheTolerance() {
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.905, OptionalDouble.of(0.91)).outcome(), "within tolerance");
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.95, OptionalDouble.of(0.91)).outcome());
    assertEquals(Outcome.REJECT, gate.decide(500, 0.89, OptionalDouble.of(0.91)).outcome());
    // A later version needs no minimum of its own: only the comparison counts.
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.5, OptionalDouble.of(0.5)).outcome());
  }

  @Test
  void shouldWaitForEnoughHeldOutSamples() {
    assertEquals(Outcome.WAIT, gate.decide(99, 0.99, OptionalDouble.empty()).outcome());
  }
}
