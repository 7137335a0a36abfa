package io.streamdistill.student;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * An HTTP request as the text a text student reads: the request line ({@code METHOD URI}, the query string
 * included), then one {@code name: value} line per chosen header that the request has, in the order chosen,
 * names in lower case. The edge builds it from what a gateway passes on ({@code /authorize}); whoever writes
 * input events for a gateway model writes the same text (with {@link #of}), so that the trainer and the edge
 * featurize requests alike.
 *
 * <p>Example: {@code GET /search?q=shoes} then {@code user-agent: curl/8.5}.
 */
public final class RequestText {
  /** Longest header value kept: a gateway model reads the request, not payloads smuggled in headers. */
  public static final int MAX_HEADER_CHARS = 512;

  private RequestText() {}

  /**
   * The text of a request.
   *
   * @param method the method, e.g. GET
   * @param uri the path and query as sent, e.g. {@code /search?q=shoes}
   * @param chosenHeaders the header names to include, in this order (any case)
   * @param header the request's value of a header name (any case), or null when it has none
   */
  public static String of(String method, String uri, List<String> chosenHeaders, Function<String, String> header) {
    StringBuilder text = new StringBuilder(64 + uri.length());
    text.append(method == null || method.isBlank() ? "GET" : method.trim().toUpperCase(Locale.ROOT))
        .append(' ').append(uri);
    for (String name : chosenHeaders) {
      String value = header.apply(name);
      if (value != null) {
        String kept = value.length() > MAX_HEADER_CHARS ? value.substring(0, MAX_HEADER_CHARS) : value;
        text.append('\n').append(name.toLowerCase(Locale.ROOT)).append(": ").append(kept.strip());
      }
    }
    return text.toString();
  }
}
