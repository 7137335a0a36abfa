package io.streamdistill.reliability.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyWindowsTest {
  private static final long T0 = 1_700_000_000_000_000L; // epoch micros

  @Test
  void shouldSplitRequestsAroundSwapsFromSteadyOnesAfterTheWarmup() {
    LoadSamples samples = new LoadSamples();
    // One request every 10 ms for 10 s, 1 ms each, version 1 answering digit 1; slow (5 ms) around t = 5 s.
    for (int i = 0; i < 1_000; i++) {
      long start = T0 + i * 10_000L;
      boolean nearSwap = i >= 490 && i < 510;
      samples.add(start, nearSwap ? 5_000 : 1_000, 200, 1, 1);
    }
    // A swap at t = 5 s with a 400 ms window; the first 2 s are warm-up.
    LatencyWindows.Result result = LatencyWindows.analyse(samples, List.of(T0 / 1_000 + 5_000), 400, 2_000);
    assertEquals(800, result.all().requests());
    assertEquals(40, result.duringSwaps().requests());
    assertEquals(760, result.steady().requests());
    assertEquals(1.0, result.steady().p99Millis());
    assertEquals(5.0, result.duringSwaps().p99Millis());
    assertEquals(5.0, result.p99Ratio());
    assertEquals(1, result.swapsInRun());
    assertEquals(0, result.swapsWithErrors());
  }

  @Test
  void shouldCountFailedAndTornAnswersAsErrors() {
    LoadSamples samples = new LoadSamples();
    samples.add(T0, 1_000, 200, 3, 3);
    samples.add(T0 + 1_000, 1_000, 503, -1, -1);
    samples.add(T0 + 2_000, 1_000, -1, -1, -1);
    samples.add(T0 + 3_000, 1_000, 200, 3, 4); // version 3 answers digit 3: this one was torn
    LatencyWindows.Result result = LatencyWindows.analyse(samples, List.of(T0 / 1_000), 10, 0);
    assertEquals(3, result.all().errors());
    assertEquals(3, result.duringSwaps().errors());
    assertEquals(1, result.swapsWithErrors());
  }

  @Test
  void shouldTakeTheNearestRankPercentile() {
    long[] micros = new long[100];
    for (int i = 0; i < 100; i++) {
      micros[i] = (i + 1) * 1_000L;
    }
    assertEquals(50.0, LatencyWindows.percentile(micros, 0.5));
    assertEquals(99.0, LatencyWindows.percentile(micros, 0.99));
    assertEquals(Double.NaN, LatencyWindows.percentile(new long[0], 0.99));
  }

  @Test
  void shouldReadBackWhatTheGeneratorWrote(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    LoadSamples samples = new LoadSamples();
    samples.add(T0, 420, 200, 12, 2);
    samples.add(T0 + 5, 9_999, -1, -1, -1);
    samples.write(dir.resolve("r.csv"));
    LoadSamples read = LoadSamples.read(dir.resolve("r.csv"));
    assertEquals(2, read.size());
    assertEquals(12, read.modelVersion(0));
    assertEquals(9_999, read.latencyMicros(1));
    assertEquals(-1, read.status(1));
  }

  @Test
  void shouldFindNumbersInTheEdgesAnswerWithoutAParser() {
    String answer = "{\"label\":\"7\",\"classes\":[\"0\"],\"model\":\"m\",\"modelVersion\":1234,"
        + "\"answeredBy\":\"student\"}";
    assertEquals(1234, LoadGenerator.number(answer, "\"modelVersion\":"));
    assertEquals(7, LoadGenerator.number(answer, "\"label\":\""));
    assertEquals(-1, LoadGenerator.number(answer, "\"missing\":"));
  }
}
