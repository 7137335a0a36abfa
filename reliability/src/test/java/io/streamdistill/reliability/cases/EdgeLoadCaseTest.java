package io.streamdistill.reliability.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class EdgeLoadCaseTest {
  @Test
  void shouldPassSwapsNoSlowerThanHalfAgainOrWithinTheSlack() {
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(2.46, 3.08), "x1.25");
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(2.86, 4.40), "x1.54 but 1.5 ms above");
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(0.5, 2.4), "x4.8 but 1.9 ms above");
  }

  @Test
  void shouldFailSwapsThatAreSlowerByBothMeasures() {
    Optional<String> failure = EdgeLoadCase.latencyFailure(2.0, 5.0);
    assertTrue(failure.isPresent(), "x2.5 and 3 ms above");
    assertTrue(failure.get().contains("2.50 times the steady 2.00 ms"), failure.get());
    assertTrue(EdgeLoadCase.latencyFailure(10.0, 15.5).isPresent(), "x1.55 and 5.5 ms above");
  }
}
