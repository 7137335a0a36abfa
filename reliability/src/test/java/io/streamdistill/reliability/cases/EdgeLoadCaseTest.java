package io.streamdistill.reliability.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.reliability.load.LatencyWindows;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EdgeLoadCaseTest {
  @Test
  void shouldPassSwapsNoSlowerThanHalfAgainOrWithinTheSlack() {
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(steady(1.2, 2.46), 3.08), "x1.25");
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(steady(1.2, 2.86), 4.40), "x1.54 but 1.5 ms above");
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(steady(0.3, 0.5), 2.4), "x4.8 but 1.9 ms above");
  }

  @Test
  void shouldFailSwapsThatAreSlowerByBothMeasures() {
    Optional<String> failure = EdgeLoadCase.latencyFailure(steady(1.0, 2.0), 5.0);
    assertTrue(failure.isPresent(), "x2.5 and 3 ms above");
    assertTrue(failure.get().contains("2.50 times the steady 2.00 ms"), failure.get());
    assertTrue(EdgeLoadCase.latencyFailure(steady(8.0, 10.0), 15.5).isPresent(), "x1.55 and 5.5 ms above");
  }

  /** A busy machine (measured under the parallel test command): the steady requests spread 32 ms themselves. */
  @Test
  void shouldTakeTheSteadySpreadAsTheSlackOnABusyMachine() {
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(steady(8.6, 40.5), 61.9),
        "x1.53, 21.4 ms above, within the steady spread of 31.9 ms");
    Optional<String> stall = EdgeLoadCase.latencyFailure(steady(8.6, 40.5), 250.0);
    assertTrue(stall.isPresent(), "a swap that stalls requests for 250 ms");
    assertTrue(stall.get().contains("31.9 ms above it"), stall.get());
  }

  /** A CI run's windows: one burst of the machine's in one window, not a stall at every swap. */
  @Test
  void shouldJudgeTheMedianSwapWindowSoThatOneBurstDoesNotFailTheCase() {
    double median = EdgeLoadCase.typicalSwapP99(List.of(135.98, 20.62, 18.27, 25.00, 13.46), 27.23);
    assertEquals(20.62, median, 1e-9);
    assertEquals(Optional.empty(), EdgeLoadCase.latencyFailure(steady(1.71, 12.75), median));
    assertTrue(EdgeLoadCase.latencyFailure(steady(1.71, 12.75), 27.23).isPresent(), "all windows together: failed");
    // A swap that stalls requests does so at every swap: the median window shows it.
    double stalls = EdgeLoadCase.typicalSwapP99(List.of(80.0, 75.0, 90.0, 70.0), 85.0);
    assertEquals(77.5, stalls, 1e-9);
    assertTrue(EdgeLoadCase.latencyFailure(steady(1.71, 12.75), stalls).isPresent());
    assertEquals(4.0, EdgeLoadCase.typicalSwapP99(List.of(), 4.0), "no window: the swaps' p99");
  }

  private static LatencyWindows.Stats steady(double p50Millis, double p99Millis) {
    return new LatencyWindows.Stats(5_000, 0, p50Millis, p99Millis, p99Millis * 2);
  }
}
