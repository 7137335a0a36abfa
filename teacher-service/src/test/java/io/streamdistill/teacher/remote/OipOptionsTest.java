package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code options} of an {@code oip} teacher.json: defaults, and errors that name the option. */
class OipOptionsTest {

  private static OipOptions parse(String... more) {
    Map<String, String> options = new HashMap<>(Map.of("url", "http://x", "model", "m"));
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return OipOptions.parse(options);
  }

  @Test
  void shouldRefuseBadOptionsNamingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OipOptions.parse(Map.of("url", "http://x", "model", "m", "timeoutMs", "soon")));
    assertTrue(e.getMessage().contains("timeoutMs must be a whole number"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> OipOptions.parse(Map.of("url", "ftp://x", "model", "m")));
    assertTrue(e.getMessage().contains("must start with http:// or https://"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> OipOptions.parse(Map.of("url", "http://x", "model", "m", "retry", "3")));
    assertTrue(e.getMessage().contains("unknown option 'retry'"), e.getMessage());
  }

  @Test
  void shouldReadARateLimitAsCallsASecond() {
    assertEquals(0.0, parse().maxCallsPerSecond(), "no limit unless given");
    assertEquals(0.5, parse("maxCallsPerSecond", " 0.5 ").maxCallsPerSecond());
    for (String bad : new String[] {"-1", "fast", "NaN"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("maxCallsPerSecond", bad));
      assertTrue(e.getMessage().contains("maxCallsPerSecond must be a number"), e.getMessage());
    }
  }

  @Test
  void shouldTreatOnlyTheProxyAndOverloadStatusesAsAnOutageByDefault() {
    OipOptions options = parse();
    assertEquals(Set.of(429, 502, 503, 504), options.retryStatus());
    assertTrue(options.isOutage(503));
    assertFalse(options.isOutage(500), "a 500 refuses the batch unless retryStatus lists it");
    assertFalse(options.isOutage(400));
  }

  @Test
  void shouldReadRetryStatusAsACommaSeparatedListOfStatuses() {
    OipOptions options = parse("retryStatus", " 503,500 , 429,502,504");
    assertEquals(List.of(429, 500, 502, 503, 504), List.copyOf(options.retryStatus()), "sorted, as logs show it");
    assertTrue(options.isOutage(500));
    assertFalse(options.isOutage(404));
  }

  @ParameterizedTest
  @ValueSource(strings = {"200", "429,302", "399", "600", "five hundred", "500;503", "429,,503", "", "-500"})
  void shouldRefuseARetryStatusThatIsNotAListOfErrorStatusesNamingTheOption(String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("retryStatus", value));
    assertTrue(e.getMessage().startsWith("teacher.json options: retryStatus "), e.getMessage());
  }

  @Test
  void shouldSayWhichEntryOfRetryStatusIsWrong() {
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> parse("retryStatus", "429,200"));
    assertEquals("teacher.json options: retryStatus may only list error statuses 400-599; 200 in '429,200' is not"
        + " one", range.getMessage());
    IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
        () -> parse("retryStatus", "500,oops"));
    assertTrue(word.getMessage().contains("'oops' in '500,oops' is not a whole number"), word.getMessage());
  }

  @Test
  void shouldRefuseARetryStatusOutsideTheErrorsWhenBuiltDirectly() {
    OipOptions ok = parse();
    for (Set<Integer> bad : List.of(Set.<Integer>of(), Set.of(200), Set.of(503, 600))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OipOptions(ok.url(),
          ok.model(), null, ok.timeout(), 0, ok.backoff(), 1, ok.breakerOpen(), bad, null, 0, 0));
      assertTrue(e.getMessage().contains("retryStatus must list HTTP error statuses (400-599)"), e.getMessage());
    }
  }
}
