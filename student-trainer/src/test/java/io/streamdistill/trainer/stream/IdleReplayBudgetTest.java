package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IdleReplayBudgetTest {
  private static final long MS = 1_000_000L;

  @Test
  void shouldKeepIdleReplayToAQuarterOfTheTime() {
    IdleReplayBudget budget = new IdleReplayBudget(0);
    // Steps of 200 ms, tried every millisecond for 10 s: about 2.5 s of them.
    long spent = 0;
    for (long now = 0; now < 10_000 * MS; now += MS) {
      if (budget.allows(now)) {
        now += 200 * MS;
        budget.spent(now);
        spent += 200 * MS;
      }
    }
    assertEquals(IdleReplayBudget.SHARE * 10_000 * MS, (double) spent, 200 * MS);
  }

  @Test
  void shouldPaceStepsRatherThanSpendTheWindowAtOnce() {
    IdleReplayBudget budget = new IdleReplayBudget(0);
    assertTrue(budget.allows(0));
    budget.spent(200 * MS);
    assertFalse(budget.allows(201 * MS), "200 ms spent of 201");
    assertFalse(budget.allows(700 * MS), "200 ms spent of 700");
    assertTrue(budget.allows(801 * MS), "200 ms spent of 801");
    budget.spent(802 * MS);
  }

  @Test
  void shouldStartEachWindowAfresh() {
    IdleReplayBudget budget = new IdleReplayBudget(0);
    assertTrue(budget.allows(0));
    budget.spent(2_600 * MS);
    assertFalse(budget.allows(9_000 * MS), "the window's quarter is spent");
    assertTrue(budget.allows(10_000 * MS), "a new window");
  }
}
