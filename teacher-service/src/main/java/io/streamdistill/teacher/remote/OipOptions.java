package io.streamdistill.teacher.remote;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The {@code options} of an {@code oip} teacher's teacher.json, validated: each error names the
 * option. Defaults are chosen so that one {@code predict} (every retry and its backoff) stays well
 * under Kafka Streams' 10 s transaction timeout under exactly-once: a batch that waits longer than
 * that would have its transaction aborted by the broker anyway.
 *
 * @param url base URL of the inference server, e.g. {@code http://triton:8000} (no {@code /v2})
 * @param model the model's name on the server
 * @param modelVersion a version to pin ({@code /v2/models/{model}/versions/{v}/...}), or null for the server's default
 * @param timeout per HTTP call (connect and answer)
 * @param retries calls after the first one failed, per batch
 * @param backoff wait before the first retry; doubled before each next one
 * @param breakerFailures consecutive failed calls that open the circuit breaker
 * @param breakerOpen how long the breaker stays open before one probe call is let through
 */
public record OipOptions(URI url, String model, String modelVersion, Duration timeout, int retries,
    Duration backoff, int breakerFailures, Duration breakerOpen) {

  public static final long DEFAULT_TIMEOUT_MS = 2_000;
  public static final int DEFAULT_RETRIES = 2;
  public static final long DEFAULT_BACKOFF_MS = 100;
  public static final int DEFAULT_BREAKER_FAILURES = 5;
  public static final long DEFAULT_BREAKER_OPEN_MS = 5_000;

  private static final Set<String> KNOWN = Set.of("url", "model", "modelVersion", "timeoutMs", "retries", "backoffMs",
      "breakerFailures", "breakerOpenMs");

  public OipOptions {
    if (retries < 0 || breakerFailures < 1) {
      throw new IllegalArgumentException("teacher.json options: retries must be >= 0 and breakerFailures >= 1");
    }
  }

  /** Reads the options of a teacher.json, naming the option that is missing or wrong. */
  public static OipOptions parse(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException("teacher.json options: unknown option '" + key + "' for kind oip; known: "
            + KNOWN);
      }
    }
    String url = options.get("url");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("teacher.json options: url (the inference server's base URL) is missing");
    }
    URI base;
    try {
      base = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("teacher.json options: url '" + url + "' is not a URL: " + e.getMessage(), e);
    }
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new IllegalArgumentException("teacher.json options: url '" + url + "' must start with http:// or https://");
    }
    String model = options.get("model");
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("teacher.json options: model (the model's name on the server) is missing");
    }
    String version = options.get("modelVersion");
    return new OipOptions(base, model, version == null || version.isBlank() ? null : version,
        Duration.ofMillis(positive(options, "timeoutMs", DEFAULT_TIMEOUT_MS)),
        (int) atLeast(options, "retries", DEFAULT_RETRIES, 0),
        Duration.ofMillis(atLeast(options, "backoffMs", DEFAULT_BACKOFF_MS, 0)),
        (int) positive(options, "breakerFailures", DEFAULT_BREAKER_FAILURES),
        Duration.ofMillis(positive(options, "breakerOpenMs", DEFAULT_BREAKER_OPEN_MS)));
  }

  /** The model's path on the server: {@code /v2/models/{model}[/versions/{v}]}. */
  public URI modelUri() {
    String path = "/v2/models/" + encode(model) + (modelVersion == null ? "" : "/versions/" + encode(modelVersion));
    return URI.create(url + path);
  }

  public URI inferUri() {
    return URI.create(modelUri() + "/infer");
  }

  private static String encode(String segment) {
    return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static long positive(Map<String, String> options, String key, long fallback) {
    return atLeast(options, key, fallback, 1);
  }

  private static long atLeast(Map<String, String> options, String key, long fallback, long min) {
    String value = options.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < min) {
        throw new IllegalArgumentException("teacher.json options: " + key + " must be >= " + min + ", is " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("teacher.json options: " + key + " must be a whole number, is '" + value + "'",
          e);
    }
  }

  /**
   * A failed call in words: the exception's class and message, and for a refused connection (whose message the
   * JDK's HttpClient leaves null) what it means.
   */
  static String describe(java.io.IOException e) {
    String what = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return e instanceof java.net.ConnectException ? what + " (connection refused: is the server running at that"
        + " address?)" : what;
  }
}
