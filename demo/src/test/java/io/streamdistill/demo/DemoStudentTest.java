package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** When the demo stops waiting for a first soft label to pick a student from. */
class DemoStudentTest {
  private static final long HOUR = 3_600_000_000_000L;

  /** The rule over a teacher that is up, with a 10-minute run, saying nothing on the way. */
  private static Supplier<String> quiet(BooleanSupplier stopped, long deadline, long labelled, long deadLettered) {
    return DemoStudent.giveUp(stopped, deadline, "10m", () -> labelled, () -> deadLettered, Optional::empty,
        line -> { }, Map.of());
  }

  @Test
  void shouldWaitWhileTheTeacherHasTakenNothingAndGiveUpWhenStoppedOrPastTheDeadline() {
    AtomicBoolean stopped = new AtomicBoolean();
    Supplier<String> giveUp =
        quiet(stopped::get, System.nanoTime() + HOUR, 0L, 0L);
    assertNull(giveUp.get(), "no event taken yet: keep waiting");
    stopped.set(true);
    assertEquals("the run was stopped", giveUp.get());

    Supplier<String> late = quiet(() -> false, System.nanoTime() - 1, 0L, 0L);
    assertTrue(late.get().startsWith("--max-duration (10m) reached"), late.get());
  }

  @Test
  void shouldKeepWaitingWhileTheTeacherLabelsSomeAndGiveTheRejectingOneTime() {
    // A bad first row dead-lettered, the good ones labelled: their soft labels are a commit away.
    Supplier<String> labelling =
        quiet(() -> false, System.nanoTime() + HOUR, 40L, 1L);
    assertNull(labelling.get());
    // Everything dead-lettered so far: no verdict before NOTHING_LABELLED_SECONDS.
    Supplier<String> rejecting =
        quiet(() -> false, System.nanoTime() + HOUR, 0L, 500L);
    assertNull(rejecting.get());
    assertNull(rejecting.get());
  }

  @Test
  void shouldSayOnceWhyTheTeacherCannotLabelAndNameItWhenTheTimeIsUp() {
    AtomicReference<String> outage = new AtomicReference<>();
    List<String> said = new ArrayList<>();
    Supplier<Optional<String>> failing = () -> Optional.ofNullable(outage.get());
    Supplier<String> waiting = DemoStudent.giveUp(() -> false, System.nanoTime() + HOUR, "2m", () -> 0L, () -> 0L,
        failing, said::add, Map.of());
    assertNull(waiting.get());
    assertTrue(said.isEmpty(), said.toString());
    outage.set("remote teacher lang at http://127.0.0.1:8600 failing (circuit breaker OPEN), last: timeout");
    assertNull(waiting.get(), "a teacher that is down is waited for: nothing is lost");
    assertNull(waiting.get());
    assertEquals(1, said.size(), "said once, not at every poll: " + said);
    assertTrue(said.get(0).contains("cannot label yet") && said.get(0).contains("circuit breaker OPEN"), said.get(0));

    // A rule past its deadline, over the same failing teacher.
    Supplier<String> late = DemoStudent.giveUp(() -> false, System.nanoTime() - 1, "2m", () -> 0L, () -> 0L, failing,
        line -> { }, Map.of());
    assertEquals("--max-duration (2m) reached before the teacher labelled an event; the teacher was failing: "
        + outage.get(), late.get());
  }
}
