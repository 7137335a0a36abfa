package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EpochBudgetTest {

  @Test
  void shouldTrainEveryEpochAskedWithoutALimit() {
    assertEquals(30, new EpochBudget(30, 0).epochsAfter(1, 500, 500));
  }

  @Test
  void shouldTrainAsManyMoreAsFitTheTimeLeftAtTheLastEpochsPace() {
    EpochBudget budget = new EpochBudget(30, 600);
    // A slow first epoch (93 s, the JIT and the first allocations), then 70 s each: 507 s left fit 7 more.
    assertEquals(1 + 5, budget.epochsAfter(1, 93, 93));
    assertEquals(2 + 6, budget.epochsAfter(2, 163, 70));
    // Fast epochs never raise it above what --epochs asked for.
    assertEquals(30, budget.epochsAfter(2, 2, 1));
  }

  @Test
  void shouldKeepTheEpochsDoneWhenTheLimitHasPassed() {
    assertEquals(3, new EpochBudget(30, 60).epochsAfter(3, 200, 70));
    assertEquals(1, new EpochBudget(30, 10).epochsAfter(1, 93, 93), "at least the first epoch");
  }
}
