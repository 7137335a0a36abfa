package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** When the demo stops waiting for a first soft label to pick a student from. */
class DemoStudentTest {
  private static final long HOUR = 3_600_000_000_000L;

  @Test
  void shouldWaitWhileTheTeacherHasTakenNothingAndGiveUpWhenStoppedOrPastTheDeadline() {
    AtomicBoolean stopped = new AtomicBoolean();
    Supplier<String> giveUp =
        DemoStudent.giveUp(stopped::get, System.nanoTime() + HOUR, "10m", () -> 0L, () -> 0L, Map.of());
    assertNull(giveUp.get(), "no event taken yet: keep waiting");
    stopped.set(true);
    assertEquals("the run was stopped", giveUp.get());

    Supplier<String> late = DemoStudent.giveUp(() -> false, System.nanoTime() - 1, "10m", () -> 0L, () -> 0L, Map.of());
    assertTrue(late.get().startsWith("--max-duration (10m) reached"), late.get());
  }

  @Test
  void shouldKeepWaitingWhileTheTeacherLabelsSomeAndGiveTheRejectingOneTime() {
    // A bad first row dead-lettered, the good ones labelled: their soft labels are a commit away.
    Supplier<String> labelling =
        DemoStudent.giveUp(() -> false, System.nanoTime() + HOUR, "10m", () -> 40L, () -> 1L, Map.of());
    assertNull(labelling.get());
    // Everything dead-lettered so far: no verdict before NOTHING_LABELLED_SECONDS.
    Supplier<String> rejecting =
        DemoStudent.giveUp(() -> false, System.nanoTime() + HOUR, "10m", () -> 0L, () -> 500L, Map.of());
    assertNull(rejecting.get());
    assertNull(rejecting.get());
  }
}
