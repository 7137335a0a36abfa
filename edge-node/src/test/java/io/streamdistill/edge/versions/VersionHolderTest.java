package io.streamdistill.edge.versions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamdistill.edge.TestVersions;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.student.VersionDeltas;
import io.streamdistill.student.VersionVerifier;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The version policy without Kafka: versions are fed to the holder as the follower feeds them. */
class VersionHolderTest {
  private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final VersionHolder holder = new VersionHolder("node-1", TestVersions.MODEL,
      new VersionVerifier(List.of(TestVersions.KEYS.getPublic())), 3, events::add, metrics);

  /** A holder that has caught up and serves version 1 (answers digit 1). */
  private void servingVersionOne() {
    holder.markCaughtUp();
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(TestVersions.sure(1, 1)).kind());
    events.clear();
  }

  private int servedDigit() {
    float[] p = holder.serving().model().probabilities(TestVersions.anyDigitImage());
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  private void assertRejectedAndStillServingOne(StudentModelVersion bad, String reason) {
    VersionHolder.Outcome outcome = holder.offer(bad);
    assertEquals(VersionHolder.Outcome.Kind.REJECTED, outcome.kind());
    assertTrue(outcome.reason().contains(reason), outcome.reason());
    assertEquals(1, holder.serving().version(), "the old version keeps serving");
    assertEquals(1, servedDigit(), "and it computes as before");
    DeploymentEvent event = events.get(events.size() - 1);
    assertEquals(DeploymentStatus.REJECTED, event.getStatus());
    assertEquals(bad.getVersion(), event.getVersion());
    assertEquals(1L, event.getPreviousVersion());
    assertTrue(event.getReason().contains(reason), event.getReason());
    assertEquals(outcome.reason(), holder.status().lastRejection());
  }

  @Test
  void shouldServeAVerifiedNewerVersionAtOnceAndReportItLoaded() {
    servingVersionOne();
    VersionHolder.Outcome outcome = holder.offer(TestVersions.sure(2, 7));
    assertEquals(VersionHolder.Outcome.Kind.LOADED, outcome.kind());
    assertEquals(2, holder.serving().version());
    assertEquals(7, servedDigit());
    DeploymentEvent loaded = events.get(0);
    assertEquals(DeploymentStatus.LOADED, loaded.getStatus());
    assertEquals(2, loaded.getVersion());
    assertEquals(1L, loaded.getPreviousVersion());
    assertTrue(loaded.getLoadMillis() >= 0);
    assertEquals("node-1", loaded.getNodeId());
    assertEquals(2.0, metrics.get("distill.edge.versions.loaded").counter().count());
    assertEquals(2.0, metrics.get("distill.edge.version.current").gauge().value());
  }

  @Test
  void shouldKeepServingOldVersionWhenAWeightByteIsChanged() {
    servingVersionOne();
    StudentModelVersion tampered = TestVersions.withFlippedWeightByte(TestVersions.sure(2, 7), 300);
    assertRejectedAndStillServingOne(tampered, "SHA-256");
    assertEquals(1.0, metrics.get("distill.edge.versions.rejected").counter().count());
  }

  @Test
  void shouldKeepServingOldVersionWhenSignatureIsWrong() {
    servingVersionOne();
    assertRejectedAndStillServingOne(TestVersions.signedByAnotherKey(TestVersions.sure(2, 7)), "not trusted");
  }

  @Test
  void shouldKeepServingOldVersionWhenTheSignatureDoesNotMatchTheContent() {
    servingVersionOne();
    // A signed field changed after signing: here the metrics the trainer measured.
    StudentModelVersion forged = StudentModelVersion.newBuilder(TestVersions.sure(2, 7))
        .setMetrics(java.util.Map.of("heldout.agreement", 0.999)).build();
    assertRejectedAndStillServingOne(forged, "signature does not match");
  }

  @Test
  void shouldKeepServingOldVersionWhenWeightsAreTruncated() {
    servingVersionOne();
    assertRejectedAndStillServingOne(TestVersions.withTruncatedWeights(TestVersions.sure(2, 7)), "truncated");
  }

  @Test
  void shouldRejectAnOlderOrEqualVersionAsAReplay() {
    servingVersionOne();
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(TestVersions.sure(2, 2)).kind());
    events.clear();
    // Validly signed, but not newer: an attacker (or a misconfigured trainer) replaying the past.
    VersionHolder.Outcome older = holder.offer(TestVersions.sure(1, 1));
    assertEquals(VersionHolder.Outcome.Kind.REJECTED, older.kind());
    assertTrue(older.reason().startsWith("replay: version 1 is not newer than version 2"), older.reason());
    VersionHolder.Outcome equal = holder.offer(TestVersions.sure(2, 5));
    assertTrue(equal.reason().contains("replay"), equal.reason());
    assertEquals(2, holder.serving().version());
    assertEquals(2, servedDigit());
    assertEquals(List.of(DeploymentStatus.REJECTED, DeploymentStatus.REJECTED),
        events.stream().map(DeploymentEvent::getStatus).toList());
  }

  @Test
  void shouldAcceptTheGenuineVersionAfterATamperedOneWithTheSameNumber() {
    servingVersionOne();
    holder.offer(TestVersions.withFlippedWeightByte(TestVersions.sure(2, 7), 100));
    // The rejected copy did not count as seen: the genuine version 2 is no replay.
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(TestVersions.sure(2, 7)).kind());
    assertEquals(7, servedDigit());
  }

  @Test
  void shouldRejectAVersionOfAnotherModel() {
    servingVersionOne();
    StudentModelVersion other = StudentModelVersion.newBuilder(TestVersions.sure(2, 7)).setModelName("mail-ngram")
        .build();
    assertRejectedAndStillServingOne(other, "is of model 'mail-ngram', this node serves 'mnist-edge'");
  }

  @Test
  void shouldServeOnlyTheNewestValidVersionOnceCaughtUp() {
    // What the follower reads on start: history, including a tampered newest version.
    holder.offer(TestVersions.sure(1, 1));
    holder.offer(TestVersions.sure(2, 2));
    holder.offer(TestVersions.withFlippedWeightByte(TestVersions.sure(3, 3), 50));
    assertNull(holder.serving(), "nothing is served before the end of the topic");
    assertTrue(holder.notServingReason().contains("reading the student-models topic"), holder.notServingReason());
    assertEquals(List.of(DeploymentStatus.REJECTED), events.stream().map(DeploymentEvent::getStatus).toList());

    holder.markCaughtUp();
    assertEquals(2, holder.serving().version());
    DeploymentEvent loaded = events.get(events.size() - 1);
    assertEquals(DeploymentStatus.LOADED, loaded.getStatus());
    assertEquals(2, loaded.getVersion());
    assertNull(loaded.getPreviousVersion());
    assertEquals(List.of(1L, 2L), holder.status().heldVersions());
  }

  @Test
  void shouldSayWhyNothingIsServedWhenTheTopicHasNoValidVersion() {
    holder.markCaughtUp();
    holder.offer(TestVersions.signedByAnotherKey(TestVersions.sure(1, 1)));
    assertNull(holder.serving());
    assertTrue(holder.notServingReason().contains("no valid student version"), holder.notServingReason());
    assertTrue(holder.notServingReason().contains("not trusted"), holder.notServingReason());
  }

  @Test
  void shouldHoldOnlyTheLastFewVersionsButNeverDropTheServedOne() {
    holder.markCaughtUp();
    for (long v = 1; v <= 5; v++) {
      holder.offer(TestVersions.sure(v, (int) v));
    }
    assertEquals(List.of(3L, 4L, 5L), holder.status().heldVersions());
    holder.rollback(OptionalLong.of(3));
    holder.offer(TestVersions.sure(6, 6));
    holder.pin(OptionalLong.of(6));
    holder.rollback(OptionalLong.of(5));
    holder.offer(TestVersions.sure(7, 7));
    holder.offer(TestVersions.sure(8, 8));
    // Pinned on 5 (the rollback kept the pin): 7 and 8 are held, not served, and 5 is not dropped.
    assertEquals(5, holder.serving().version());
    assertEquals(List.of(5L, 7L, 8L), holder.status().heldVersions());
  }

  @Test
  void shouldStayOnAPinnedVersionUntilUnpinnedThenServeTheNewest() {
    servingVersionOne();
    holder.pin(OptionalLong.empty());
    VersionHolder.Outcome held = holder.offer(TestVersions.sure(2, 2));
    assertEquals(VersionHolder.Outcome.Kind.HELD, held.kind());
    assertEquals(1, holder.serving().version());
    assertTrue(holder.serving().pinned());

    ServingStatus status = holder.unpin();
    assertEquals(2, status.servedVersion());
    assertEquals(2, servedDigit());
    assertEquals(List.of(DeploymentStatus.PINNED, DeploymentStatus.UNPINNED, DeploymentStatus.LOADED),
        events.stream().map(DeploymentEvent::getStatus).toList());
    assertEquals(1L, events.get(2).getPreviousVersion());
  }

  @Test
  void shouldRollBackToThePreviousOrAChosenHeldVersion() {
    servingVersionOne();
    holder.offer(TestVersions.sure(2, 2));
    holder.offer(TestVersions.sure(3, 3));
    events.clear();

    assertEquals(2, holder.rollback(OptionalLong.empty()).servedVersion());
    assertEquals(2, servedDigit());
    assertEquals(1, holder.rollback(OptionalLong.empty()).servedVersion());
    var none = assertThrows(AdminCommandException.class, () -> holder.rollback(OptionalLong.empty()));
    assertEquals(AdminCommandException.Kind.CONFLICT, none.kind());
    assertEquals(3, holder.rollback(OptionalLong.of(3)).servedVersion());
    var unknown = assertThrows(AdminCommandException.class, () -> holder.rollback(OptionalLong.of(9)));
    assertEquals(AdminCommandException.Kind.NOT_HELD, unknown.kind());
    assertTrue(unknown.getMessage().contains("held: [1, 2, 3]"), unknown.getMessage());

    DeploymentEvent first = events.get(0);
    assertEquals(DeploymentStatus.ROLLED_BACK, first.getStatus());
    assertEquals(2, first.getVersion());
    assertEquals(3L, first.getPreviousVersion());
    assertEquals(3, events.size());
    // Not pinned: the next new version is served when it arrives.
    holder.rollback(OptionalLong.of(1));
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(TestVersions.sure(4, 4)).kind());
  }

  @Test
  void shouldRefuseAdminCommandsBeforeAnythingIsServed() {
    var e = assertThrows(AdminCommandException.class, () -> holder.pin(OptionalLong.empty()));
    assertEquals(AdminCommandException.Kind.CONFLICT, e.kind());
    assertEquals(-1, holder.status().servedVersion());
    assertEquals(-1.0, metrics.get("distill.edge.version.current").gauge().value());
  }

  @Test
  void shouldRebuildDeltasOnTheNewestVersionAndRefuseOnesItCannot() throws Exception {
    holder.markCaughtUp();
    List<StudentModelVersion> wire = TestVersions.chain(6, 4); // v1 whole, v2-v4 deltas, v5 whole, v6 delta
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(wire.get(0)).kind());
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(wire.get(1)).kind());
    StudentModelVersion v2 = TestVersions.random(2, 2);
    StudentModel whole = StudentModel.create(TestVersions.SPEC, StudentWeights.decode(AvroValues.bytes(
        v2.getWeights())));
    assertEquals(2, holder.serving().version());
    assertArrayEquals(whole.probabilities(TestVersions.anyDigitImage()),
        holder.serving().model().probabilities(TestVersions.anyDigitImage()), 0f, "the rebuilt v2 is the whole v2");

    // v3 is lost (a node that missed it): v4, a patch to v3, is refused with the reason; v2 keeps serving.
    VersionHolder.Outcome missing = holder.offer(wire.get(3));
    assertEquals(VersionHolder.Outcome.Kind.REJECTED, missing.kind());
    assertTrue(missing.reason().contains("delta against v3, which this node does not hold (it holds v2)"),
        missing.reason());
    assertEquals(2, holder.serving().version());

    // A tampered patch is refused too.
    byte[] patch = AvroValues.bytes(wire.get(5).getWeightsDelta().getPatch()).clone();
    patch[patch.length - 2] ^= 0x01;
    StudentModelVersion tampered = StudentModelVersion.newBuilder(wire.get(5)).setWeightsDelta(
        new io.streamdistill.schemas.WeightsDelta(5L, VersionDeltas.XOR_DEFLATE_V1, java.nio.ByteBuffer.wrap(patch)))
        .build();
    // The next whole version (v5) is served, and v6 rebuilt on it; the tampered v6 before it is refused.
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(wire.get(4)).kind());
    assertEquals(VersionHolder.Outcome.Kind.REJECTED, holder.offer(tampered).kind());
    assertEquals(5, holder.serving().version());
    assertEquals(VersionHolder.Outcome.Kind.LOADED, holder.offer(wire.get(5)).kind());
    assertEquals(6, holder.serving().version());
    // Out of order: a delta older than what is held is a replay.
    assertEquals(VersionHolder.Outcome.Kind.REJECTED, holder.offer(wire.get(2)).kind());
  }
}
