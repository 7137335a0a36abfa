package io.streamdistill.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.serde.registry.RegistryUnavailableException;
import io.streamdistill.serde.registry.SchemaNotFoundException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RegistryOutageTest {
  private static AvroSerdeException unavailable() {
    return new AvroSerdeException("t", 3, "could not fetch the writer schema",
        new RegistryUnavailableException("connection refused", -1, null));
  }

  @Test
  void shouldRetryWhileTheRegistryIsUnavailableAndReturnOnceItAnswers() {
    AtomicInteger calls = new AtomicInteger();
    String result = RegistryOutage.retry("decoding", Duration.ofSeconds(30), () -> false, () -> {
      if (calls.incrementAndGet() < 3) {
        throw unavailable();
      }
      return "decoded";
    });
    assertEquals("decoded", result);
    assertEquals(3, calls.get());
  }

  @Test
  void shouldFailAtOnceForABadRecordAndAfterTheBudgetOrAStopForAnOutage() {
    AtomicInteger calls = new AtomicInteger();
    AvroSerdeException bad = new AvroSerdeException("t", 9, "unknown schema id",
        new SchemaNotFoundException("no schema 9", 404, 40403));
    AvroSerdeException thrown = assertThrows(AvroSerdeException.class, () -> RegistryOutage.retry("decoding",
        Duration.ofSeconds(30), () -> false, () -> {
          calls.incrementAndGet();
          throw bad;
        }));
    assertSame(bad, thrown);
    assertEquals(1, calls.get(), "a record the registry does not know is not retried");
    assertTrue(!bad.registryUnavailable());

    long started = System.nanoTime();
    AvroSerdeException outage = assertThrows(AvroSerdeException.class, () -> RegistryOutage.retry("decoding",
        Duration.ofMillis(600), () -> false, () -> {
          throw unavailable();
        }));
    assertTrue(outage.registryUnavailable());
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(3).toNanos(), "gave up after its budget");

    calls.set(0);
    assertThrows(AvroSerdeException.class, () -> RegistryOutage.retry("decoding", Duration.ofDays(1),
        () -> calls.get() >= 2, () -> {
          calls.incrementAndGet();
          throw unavailable();
        }));
    assertEquals(2, calls.get(), "stopped when asked to");
  }
}
