package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-12-05T23:40:00Z");

  @Test
  void shouldReadSecondsAndHttpDates() {
    assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse(" 30 ", NOW));
    assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("0", NOW));
    assertEquals(Optional.of(Duration.ofSeconds(90)), RetryAfter.parse("Sat, 05 Dec 2026 23:41:30 GMT", NOW));
    assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Sat, 05 Dec 2026 23:39:00 GMT", NOW), "a date past");
  }

  @Test
  void shouldCapALongWaitAndIgnoreWhatDoesNotParse() {
    assertEquals(Optional.of(RetryAfter.MAX), RetryAfter.parse("86400", NOW));
    assertEquals(Optional.empty(), RetryAfter.parse("soon", NOW));
    assertEquals(Optional.empty(), RetryAfter.parse("-5", NOW));
    assertEquals(Optional.empty(), RetryAfter.parse("1.5", NOW));
  }
}
