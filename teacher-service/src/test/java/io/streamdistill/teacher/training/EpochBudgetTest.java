package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EpochBudgetTest {

  @Test
  void shouldTrainEveryEpochAskedWithoutALimit() {
    assertEquals(30, new EpochBudget(30, 0).epochsAfter(1, 500, 500, 30));
  }

  @Test
  void shouldTrainAsManyMoreAsFitTheTimeLeftAtTheLastEpochsPace() {
    EpochBudget budget = new EpochBudget(30, 600);
    // A slow first epoch (93 s, the JIT and the first allocations), then 70 s each: 507 s left fit 5, then
    // 437 s left fit 6 more.
    assertEquals(1 + 5, budget.epochsAfter(1, 93, 93, 30));
    assertEquals(2 + 6, budget.epochsAfter(2, 163, 70, 6));
    // Fast epochs never raise it above what --epochs asked for.
    assertEquals(30, budget.epochsAfter(2, 2, 1, 8));
  }

  @Test
  void shouldNotSwingBackForOneMoreEpochThatAnEpochsNoiseWouldAllow() {
    EpochBudget budget = new EpochBudget(30, 600);
    // The demo's 40,000 images: 56, 66, 61, 58, 67, 51 s an epoch planned 10, 9, 9, 10, 9, 10 epochs.
    assertEquals(10, budget.epochsAfter(1, 56, 56, 30));
    assertEquals(9, budget.epochsAfter(2, 122, 66, 10));
    assertEquals(9, budget.epochsAfter(4, 241, 58, 9), "one more fits at 58 s: kept at 9");
    assertEquals(9, budget.epochsAfter(6, 359, 51, 9), "one more fits at 51 s: kept at 9");
    assertEquals(12, budget.epochsAfter(6, 359, 40, 9), "two or more fit: taken");
  }

  @Test
  void shouldKeepTheEpochsDoneWhenTheLimitHasPassed() {
    assertEquals(3, new EpochBudget(30, 60).epochsAfter(3, 200, 70, 30));
    assertEquals(1, new EpochBudget(30, 10).epochsAfter(1, 93, 93, 30), "at least the first epoch");
  }
}
