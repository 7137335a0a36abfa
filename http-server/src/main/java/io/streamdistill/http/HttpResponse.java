package io.streamdistill.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer: status, content type, body and any further headers (Content-Length and Connection are the server's).
 * Immutable; {@link #withHeader} makes a new one.
 */
public record HttpResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
  public static final String JSON = "application/json";
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  public HttpResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("an HTTP status is in [100, 599], got " + status);
    }
    headers = Map.copyOf(headers);
  }

  /** A JSON answer from bytes already written. */
  public static HttpResponse json(int status, byte[] json) {
    return new HttpResponse(status, JSON, json, Map.of());
  }

  /** {@code {"error": message}} with this status: the one shape every service's errors take. */
  public static HttpResponse error(int status, String message) {
    return json(status, ("{\"error\":" + jsonString(message) + "}").getBytes(StandardCharsets.UTF_8));
  }

  /** Prometheus' text exposition format. */
  public static HttpResponse prometheus(String text) {
    return new HttpResponse(200, PROMETHEUS_TEXT, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** This answer with one more header (replacing one of the same name). */
  public HttpResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new HttpResponse(status, contentType, body, more);
  }

  /** {@code text} as a JSON string literal, quotes included. */
  static String jsonString(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
