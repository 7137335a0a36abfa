package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherInput;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BatchBoundsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** A protocol of {@code inputsPerCall} inputs a call, 8 calls at once; nothing is sent in these tests. */
  private static RemoteProtocol protocol(int inputsPerCall) {
    return new RemoteProtocol() {
      @Override
      public URI predictUri() {
        return URI.create("http://unused/");
      }

      @Override
      public byte[] request(List<TeacherInput> batch) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<Prediction> predictions(JsonNode answer, int n) {
        throw new UnsupportedOperationException();
      }

      @Override
      public int inputsPerCall() {
        return inputsPerCall;
      }

      @Override
      public int callsAtOnce() {
        return 8;
      }
    };
  }

  /** A call answered over the server's rate, with nothing accepted lately. */
  private void refused(CallPacer pacer) throws InterruptedException {
    now.addAndGet(Duration.ofSeconds(3).toNanos());
    long started = pacer.acquire();
    pacer.release(true, started);
  }

  @Test
  void shouldCutABatchOfOneCallAnInputToWhatTheLearntPaceFitsInTheTimeItWasSizedFor() throws Exception {
    OipOptions options = OipOptions.parse(Map.of("url", "http://x", "model", "m", "timeoutMs", "2000"));
    CallPacer pacer = new CallPacer(8, 0, now::get);
    BatchBounds bounds = new BatchBounds(protocol(1), options, pacer);
    Duration sized = bounds.longest(64);
    assertEquals(64, bounds.limit(64), "nothing learnt: the batch as configured");

    refused(pacer);
    assertEquals(Duration.ofSeconds(1), pacer.learnedInterval());
    // 64 calls in 8 rounds of 2 s were given 14 s beyond the first round: 1 + 14 calls a second apart.
    assertEquals(15, bounds.limit(64));
    assertEquals(sized, bounds.longest(64), "the bound the transactions were sized by does not move");
    refused(pacer);
    assertEquals(8, bounds.limit(64), "one call every 2 s: 1 + 7");
    assertEquals(1, bounds.limit(5), "a batch sized for one round of calls has no time for their spacing");
    assertEquals(64, new BatchBounds(protocol(1), options, new CallPacer(8, 0, now::get)).limit(64),
        "a pacer that learnt nothing: the batch as configured");

    BatchBounds oneCallABatch = new BatchBounds(protocol(Integer.MAX_VALUE), options, pacer);
    assertEquals(64, oneCallABatch.limit(64), "one call a batch: its pace spaces batches, not a batch's inputs");
  }

  @Test
  void shouldCountTheSpacingOfAGivenRateInTheTimeABatchWasSizedFor() throws Exception {
    OipOptions options = OipOptions.parse(Map.of("url", "http://x", "model", "m", "timeoutMs", "2000",
        "maxCallsPerSecond", "4"));
    CallPacer pacer = new CallPacer(8, options.maxCallsPerSecond(), now::get);
    BatchBounds bounds = new BatchBounds(protocol(1), options, pacer);
    assertEquals(64, bounds.limit(64), "the given rate is what the batch was sized for");
    refused(pacer);
    // 14 s of rounds and 63 starts 250 ms apart (15.75 s): 29.75 s, a call a second.
    assertEquals(30, bounds.limit(64));
  }
}
