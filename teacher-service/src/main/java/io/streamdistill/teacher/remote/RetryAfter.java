package io.streamdistill.teacher.remote;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An answer's {@code Retry-After} (RFC 9110, 10.2.3): the wait a rate-limited (429) or overloaded (503) server asks
 * for before it is called again, as seconds ({@code 30}) or an HTTP date ({@code Fri, 05 Dec 2026 23:40:00 GMT}).
 * Stateless.
 */
final class RetryAfter {
  /** The longest wait a server's Retry-After holds the teacher off for; a longer one is taken as this. */
  static final Duration MAX = Duration.ofMinutes(10);
  private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

  private RetryAfter() {}

  /** The wait {@code response} asks for, at most {@link #MAX}; empty when it asks none or one that does not parse. */
  static Optional<Duration> of(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(v -> parse(v, Instant.now()));
  }

  /** As {@link #of}, for the header's value, a date read against {@code now}; a date past is no wait. */
  static Optional<Duration> parse(String value, Instant now) {
    String v = value.strip();
    Duration wait;
    if (SECONDS.matcher(v).matches()) {
      wait = Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        wait = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return Optional.of(wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX) > 0 ? MAX : wait);
  }
}
