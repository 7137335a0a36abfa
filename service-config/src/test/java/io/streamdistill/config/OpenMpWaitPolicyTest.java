package io.streamdistill.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

class OpenMpWaitPolicyTest {
  @Test
  void shouldWarnOnlyWhenTheWaitPolicyIsLeftToOpenMpsSpinningDefault() {
    assertTrue(OpenMpWaitPolicy.warnIfSpinning(NOPLogger.NOP_LOGGER, Map.of()));
    assertFalse(OpenMpWaitPolicy.warnIfSpinning(NOPLogger.NOP_LOGGER, Map.of("OMP_WAIT_POLICY", "PASSIVE")));
    assertFalse(OpenMpWaitPolicy.warnIfSpinning(NOPLogger.NOP_LOGGER, Map.of("OMP_WAIT_POLICY", "ACTIVE")),
        "a policy chosen on purpose is respected");
  }
}
