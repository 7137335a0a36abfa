package io.streamdistill.teacher.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's pause: {@link KafkaStreams#pause()} at once, resumed when the last wait asked for has passed. */
class StreamsInputPauseTest {
  @TempDir
  Path state;

  @Test
  void shouldPauseAtOnceAndResumeWhenTheLastWaitAskedForHasPassed() throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in").to("out");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pause-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"); // never started: nothing connects
    props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    StreamsInputPause pause = new StreamsInputPause();
    try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
      pause.pauseFor(Duration.ofMillis(50)); // before attach: nothing to pause
      assertFalse(pause.paused());
      pause.attach(streams);

      pause.pauseFor(Duration.ofMillis(300));
      assertTrue(streams.isPaused() && pause.paused(), "paused at once");
      Thread.sleep(100);
      pause.pauseFor(Duration.ofMillis(600)); // asked again while paused: the later end wins
      pause.pauseFor(Duration.ofMillis(10)); // an earlier end changes nothing
      Thread.sleep(400);
      assertTrue(streams.isPaused(), "still paused 500 ms in: the second wait ends at 700 ms");
      assertTrue(await(() -> !streams.isPaused(), Duration.ofSeconds(5)), "resumed after the last wait");
      assertFalse(pause.paused());

      pause.pauseFor(Duration.ofMillis(100));
      pause.close();
      Thread.sleep(300);
      assertTrue(streams.isPaused(), "closed: nothing is resumed by its timer any more");
      pause.pauseFor(Duration.ofMillis(100)); // after close: asks nothing, throws nothing
    } finally {
      pause.close();
    }
  }

  private static boolean await(BooleanSupplier condition, Duration most) throws InterruptedException {
    long deadline = System.nanoTime() + most.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
