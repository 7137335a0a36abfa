package io.streamdistill.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void shouldParseWhatPeopleType() {
    assertEquals(Duration.ofMillis(250), Durations.parse("--x", "250ms"));
    assertEquals(Duration.ofSeconds(10), Durations.parse("--x", "10s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("--x", "2m"));
    assertEquals(Duration.ofHours(1), Durations.parse("--x", "1h"));
    assertEquals(Duration.ofSeconds(3), Durations.parse("--x", "PT3S"));
  }

  @Test
  void shouldNameTheOptionOfABadDuration() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Durations.parse("--max-wait", "soon"));
    assertTrue(e.getMessage().contains("--max-wait"), e.getMessage());
  }

  @Test
  void shouldParseATimeLimitOfWholeSecondsAndRefuseLessThanOne() {
    assertEquals(600, Durations.parseSeconds("--max-time", "10m"));
    assertEquals(1, Durations.parseSeconds("--max-time", "1500ms"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Durations.parseSeconds("--max-time", "PT-5S"));
    assertEquals("--max-time must be at least 1s, not PT-5S", e.getMessage());
  }

  @Test
  void shouldFormatADurationAsItIsTypedAndParseItBack() {
    assertEquals("40s", Durations.format(Duration.ofSeconds(40)));
    assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("2m", Durations.format(Duration.ofMinutes(2)));
    assertEquals("1h", Durations.format(Duration.ofMinutes(60)));
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    assertEquals("0s", Durations.format(Duration.ZERO));
    for (String typed : new String[] {"40s", "2m", "3h", "250ms"}) {
      assertEquals(typed, Durations.format(Durations.parse("--x", typed)));
    }
  }
}
