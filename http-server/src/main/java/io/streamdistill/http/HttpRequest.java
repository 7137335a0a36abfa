package io.streamdistill.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request, read whole: the method, the path as sent (not decoded), the query string (null when there is
 * none), the headers (names in any case) and the body (never more than the server's limit).
 *
 * <p>Immutable once made; the body array is the request's own copy, which a handler may read but should not change.
 */
public record HttpRequest(String method, String rawPath, String query, Map<String, List<String>> headers,
    byte[] body) {

  public HttpRequest {
    TreeMap<String, List<String>> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> caseless.put(name, List.copyOf(values)));
    headers = java.util.Collections.unmodifiableMap(caseless);
  }

  /** The first value of the header {@code name} (any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The path's segments after {@code prefix}, each percent-decoded, empty ones dropped. */
  public List<String> segmentsAfter(String prefix) {
    String rest = rawPath.startsWith(prefix) ? rawPath.substring(prefix.length()) : rawPath;
    return java.util.Arrays.stream(rest.split("/")).filter(s -> !s.isEmpty())
        .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
  }
}
