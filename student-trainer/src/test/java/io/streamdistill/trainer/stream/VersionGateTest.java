package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.trainer.stream.VersionGate.Outcome;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class VersionGateTest {
  /** How long the version in service has served, in the cases where the pace plays no part. */
  private static final Duration JUST_PUBLISHED = Duration.ZERO;
  private final VersionGate gate = new VersionGate(0.8, 0.01, 100);

  @Test
  void shouldPublishAFirstVersionOnlyAboveTheMinimumAgreement() {
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.85, OptionalDouble.empty(), JUST_PUBLISHED).outcome());
    VersionGate.Decision refused = gate.decide(500, 0.75, OptionalDouble.empty(), JUST_PUBLISHED);
    assertEquals(Outcome.REJECT, refused.outcome());
    assertTrue(refused.reason().contains("0.7500 < minimum 0.8000"), refused.reason());
  }

  @Test
  void shouldRefuseACompressedCandidateThatLostMoreThanAllowedAgainstItsFloatSelf() {
    VersionGate.Decision lossy = gate.decideCompressed(500, 0.90, 0.93, 0.02, OptionalDouble.of(0.85), JUST_PUBLISHED);
    assertEquals(Outcome.REJECT, lossy.outcome(), "better than the version in service, but compression cost 0.03");
    assertTrue(lossy.reason().contains("compression lost 0.0300"), lossy.reason());
    assertEquals(Outcome.PUBLISH, gate.decideCompressed(500, 0.92, 0.93, 0.02,
        OptionalDouble.of(0.85), JUST_PUBLISHED).outcome());
    assertEquals(Outcome.REJECT, gate.decideCompressed(500, 0.92, 0.93, 0.02, OptionalDouble.of(0.95),
        JUST_PUBLISHED).outcome(),
        "a cheap compression still has to pass the usual comparison");
  }

  @Test
  void shouldRefuseACandidateWorseThanTheVersionInServiceByMoreThanTheTolerance() {
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.905,
        OptionalDouble.of(0.91), JUST_PUBLISHED).outcome(), "within tolerance");
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.95, OptionalDouble.of(0.91), JUST_PUBLISHED).outcome());
    assertEquals(Outcome.REJECT, gate.decide(500, 0.89, OptionalDouble.of(0.91), JUST_PUBLISHED).outcome());
    // A later version needs no minimum of its own: only the comparison counts.
    assertEquals(Outcome.PUBLISH, gate.decide(500, 0.5, OptionalDouble.of(0.5), JUST_PUBLISHED).outcome());
  }

  @Test
  void shouldWaitForEnoughHeldOutSamples() {
    assertEquals(Outcome.WAIT, gate.decide(99, 0.99, OptionalDouble.empty(), JUST_PUBLISHED).outcome());
  }

  @Test
  void shouldHoldACandidateNotBetterByTheMarginUntilTheVersionInServiceHasServedLongEnough() {
    VersionGate paced = gate.withPace(0.002, Duration.ofMinutes(2));
    VersionGate.Decision held = paced.decide(500, 0.911, OptionalDouble.of(0.91), Duration.ofSeconds(30));
    assertEquals(Outcome.HOLD, held.outcome(), held.reason());
    assertTrue(held.reason().contains("not better by 0.0020 (--min-improvement)"), held.reason());
    assertTrue(held.reason().contains("until it has served 120 s (--max-quiet), now 30 s"), held.reason());
    // Better by the margin, exactly: 0.938 - 0.936 is just under 0.002 in floating point.
    assertEquals(Outcome.PUBLISH, paced.decide(500, 0.938, OptionalDouble.of(0.936), Duration.ofSeconds(30)).outcome());
    VersionGate.Decision due = paced.decide(500, 0.905, OptionalDouble.of(0.91), Duration.ofMinutes(2));
    assertEquals(Outcome.PUBLISH, due.outcome(), "within the tolerance, and the version in service is old enough");
    assertTrue(due.reason().contains("which has served 120 s (--max-quiet 120 s)"), due.reason());
    // The tolerance still refuses, however long the version served; the first version needs no margin.
    assertEquals(Outcome.REJECT, paced.decide(500, 0.89, OptionalDouble.of(0.91), Duration.ofHours(1)).outcome());
    assertEquals(Outcome.PUBLISH, paced.decide(500, 0.85, OptionalDouble.empty(), Duration.ZERO).outcome());
    assertEquals(Outcome.HOLD, paced.decideCompressed(500, 0.911, 0.912, 0.02, OptionalDouble.of(0.91),
        Duration.ofSeconds(1)).outcome(), "a compressed candidate is paced the same way");
  }

  @Test
  void shouldNameTheFlagOfABadPace() {
    IllegalArgumentException margin = assertThrows(IllegalArgumentException.class,
        () -> gate.withPace(-0.1, Duration.ZERO));
    assertTrue(margin.getMessage().contains("--min-improvement"), margin.getMessage());
    IllegalArgumentException quiet = assertThrows(IllegalArgumentException.class,
        () -> gate.withPace(0, Duration.ofSeconds(-1)));
    assertTrue(quiet.getMessage().contains("--max-quiet"), quiet.getMessage());
  }
}
