package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerStatusTest {

  private static TrainerStatus withDecisions(String... decisions) {
    return new TrainerStatus(0, 0, 0, 0, 0, 0, 0, 1, 1, 0, Double.NaN, Double.NaN, 0.8, List.of(decisions), "",
        decisions.length, Map.of());
  }

  @Test
  void shouldTellARefusedLastCandidateThroughTheRestartThatFollowedIt() {
    String rejected = "REJECT after 20,563 trained: held-out agreement 0.7560 on 500 (v4 in service: 0.8040),"
        + " prequential 0.8160: agreement 0.7560 is worse than the 0.8040 in service by more than 0.0100";
    String restart = "restarted the learner from v4 after 1 refused candidate(s) in a row, dropping 4272 samples";

    assertTrue(withDecisions(rejected).refusedTheLastCandidate());
    assertTrue(withDecisions(rejected, restart).refusedTheLastCandidate(), "the restart is not a judgement");
    assertFalse(withDecisions(rejected, restart, "PUBLISH after 21,000 trained: ...").refusedTheLastCandidate());
    assertFalse(withDecisions("HOLD after 21,000 trained: ...").refusedTheLastCandidate());
    assertTrue(withDecisions("HOLD after 21,000 trained: ...").holdsACandidate());
    assertFalse(withDecisions().refusedTheLastCandidate(), "no candidate yet");
  }
}
