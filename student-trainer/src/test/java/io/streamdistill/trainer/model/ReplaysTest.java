package io.streamdistill.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplaysTest {
  private static List<TrainingSample> batch(int n) {
    List<TrainingSample> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(new TrainingSample(new float[] {i}, null, TrainingSample.logitsOf(new float[] {0.5f, 0.5f}), 0, 0,
          null));
    }
    return batch;
  }

  @Test
  void shouldReplayAFractionalRatioAsCreditCarriedOver() {
    Replays replays = new Replays(LearnerOptions.plain(0.001f).withReplay(100, 0.5f), 1);
    assertEquals(0, replays.afterFresh(8, true), "nothing to replay before the first batch is kept");
    replays.remember(batch(8));
    int replayed = 0;
    for (int i = 0; i < 10; i++) {
      replayed += replays.afterFresh(8, true);
      replays.remember(batch(8));
    }
    assertEquals(5, replayed, "half a replayed step per fresh step");
    assertEquals(0, replays.afterFresh(8, false), "no replay after a step whose loss was not finite");
  }

  @Test
  void shouldStopIdleReplayAtItsRatioOfFreshSteps() {
    Replays replays = new Replays(LearnerOptions.plain(0.001f).withReplay(100, 0.25f).withIdleReplay(2f), 1);
    assertEquals(0, replays.nextIdleBatch(), "no idle replay from an empty buffer");
    replays.afterFresh(6, true);
    replays.remember(batch(6));
    replays.afterFresh(6, true);
    int idle = 0;
    for (int size; (size = replays.nextIdleBatch()) > 0; idle++) {
      assertEquals(6, replays.draw(size).size(), "an idle batch is the last fresh batch's size");
    }
    assertEquals(4, idle, "twice the two fresh steps");
    assertArrayEquals(new long[] {2, 4, 4}, replays.counts());
    replays.clear();
    assertEquals(0, replays.nextIdleBatch(), "a cleared buffer has nothing to replay");
  }
}
