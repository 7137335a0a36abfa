package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CallPacerTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** A call started and answered: within the rate or over it. */
  private void call(CallPacer pacer, boolean overRate) throws InterruptedException {
    now.addAndGet(1_000_000);
    long started = pacer.acquire();
    now.addAndGet(1_000_000);
    pacer.release(overRate, started);
  }

  @Test
  void shouldHalveWhatWasInFlightOnceWhenTheServerIsOverItsRateAndClimbBackOneAtATime() throws InterruptedException {
    CallPacer pacer = new CallPacer(8, 0, now::get);
    long[] started = new long[6];
    for (int i = 0; i < 6; i++) {
      started[i] = pacer.acquire();
    }
    now.addAndGet(1_000_000);
    pacer.release(true, started[0]);
    assertEquals(3, pacer.limit(), "6 in flight when the 429 came: 3");
    pacer.release(true, started[1]);
    assertEquals(3, pacer.limit(), "a second 429 to a call out before the first: old news, not another halving");
    for (int i = 2; i < 6; i++) {
      pacer.release(false, started[i]);
    }
    assertEquals(4, pacer.limit(), "3 answers in a row within the rate: one more");
    call(pacer, true);
    assertEquals(1, pacer.limit(), "one in flight when told: never below one");
    for (int i = 0; i < 100; i++) {
      call(pacer, false);
    }
    assertEquals(8, pacer.limit(), "back up to the protocol's own, and no further");
  }

  @Test
  void shouldLearnToSpaceStartsAtTheRateTheServerAcceptedAndGrowItBackSlowly() throws InterruptedException {
    CallPacer pacer = new CallPacer(8, 0, now::get);
    // Eight calls accepted within the last 2 s, then one refused as over the rate.
    for (int i = 0; i < 8; i++) {
      assertEquals(Duration.ZERO, pacer.nextStart(), "no spacing before the server says anything");
      call(pacer, false);
      now.addAndGet(200_000_000);
    }
    call(pacer, true);
    // The 8 began 1.617 s before: 5 a second, of which 90%.
    assertEquals(1_617 / (8 * 0.9), pacer.learnedInterval().toNanos() / 1e6, 0.01, "90% of 5 a second");
    assertEquals(Duration.ZERO, pacer.nextStart());
    assertEquals(pacer.learnedInterval(), pacer.nextStart(), "the next one interval after");
    now.addAndGet(Duration.ofSeconds(3).toNanos());
    call(pacer, true);
    assertEquals(Duration.ofSeconds(1), pacer.learnedInterval(), "none accepted lately: one a second");
    call(pacer, true);
    assertEquals(Duration.ofSeconds(2), pacer.learnedInterval(), "still none: half that");
    call(pacer, false);
    assertEquals(Duration.ofMillis(1_980), pacer.learnedInterval(), "accepted: 1% shorter");
    for (int i = 0; i < 1_000; i++) {
      call(pacer, false);
    }
    assertEquals(Duration.ZERO, pacer.learnedInterval(), "long within the rate: no spacing left");
  }

  @Test
  void shouldCountARunsFirstAcceptedCallsOverASecondAtLeast() throws InterruptedException {
    CallPacer pacer = new CallPacer(8, 0, now::get);
    for (int i = 0; i < 3; i++) {
      call(pacer, false);
    }
    call(pacer, true);
    assertEquals(1_000 / (3 * 0.9), pacer.learnedInterval().toNanos() / 1e6, 0.01,
        "3 in the first moments: 3 a second");
  }

  @Test
  void shouldHoldACallWhileTheLimitIsInFlight() throws InterruptedException {
    CallPacer pacer = new CallPacer(1, 0, now::get);
    long started = pacer.acquire();
    CountDownLatch second = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      try {
        pacer.acquire();
        second.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    waiter.start();
    assertFalse(second.await(200, TimeUnit.MILLISECONDS), "held while one is in flight");
    pacer.release(false, started);
    assertTrue(second.await(5, TimeUnit.SECONDS), "let go when it came back");
    waiter.join();
  }

  @Test
  void shouldSpaceStartsByTheRateLimitGiven() {
    CallPacer pacer = new CallPacer(8, 4, now::get);
    assertEquals(Duration.ofMillis(250), pacer.interval());
    assertEquals(Duration.ZERO, pacer.nextStart(), "the first at once");
    assertEquals(Duration.ofMillis(250), pacer.nextStart());
    assertEquals(Duration.ofMillis(500), pacer.nextStart(), "each a quarter second after the last");
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertEquals(Duration.ZERO, pacer.nextStart(), "none owed for time that passed idle");
    assertEquals(Duration.ZERO, new CallPacer(8, 0, now::get).nextStart(), "no limit");
  }

  @Test
  void shouldCountWaitsThatOverlapOnceAgainstABatchsBudget() {
    long s = 1_000_000_000L;
    CallPacer.WaitBudget budget = new CallPacer.WaitBudget(Duration.ofSeconds(3));
    // Eight calls of a batch told at once to wait 2 s: 2 s of the batch's time, not 16.
    for (int call = 0; call < 8; call++) {
      assertTrue(budget.spend(10 * s + call * 1_000L, 12 * s), "call " + call);
    }
    assertTrue(budget.covers(12 * s, 13 * s), "1 s left");
    assertFalse(budget.covers(12 * s, 14 * s), "not 2");
    assertTrue(budget.spend(12 * s, 13 * s));
    assertFalse(budget.spend(20 * s, 20 * s + 1), "spent");
    assertTrue(budget.spend(20 * s, 20 * s), "no wait costs nothing");
  }

  @Test
  void shouldSayHowLongUntilTheTimeAServerNamed() {
    CallPacer pacer = new CallPacer(4, 0, now::get);
    assertEquals(Duration.ZERO, pacer.untilHeld());
    pacer.holdUntil(Duration.ofSeconds(2));
    pacer.holdUntil(Duration.ofSeconds(1));
    assertEquals(Duration.ofSeconds(2), pacer.untilHeld(), "the later of the two");
    now.addAndGet(Duration.ofMillis(1_500).toNanos());
    assertEquals(Duration.ofMillis(500), pacer.untilHeld());
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertEquals(Duration.ZERO, pacer.untilHeld());
  }
}
