package io.streamdistill.teacher.remote;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
 * @param retryStatus the HTTP statuses that mean the remote is having an outage (retried, counted by the
 *     breaker), not that it refused the batch; any other non-200 answer is a refusal. An option because
 *     servers differ: Triton answers 500 for transient faults too, which as a refusal would dead-letter events.
 *     The price of listing 500: an input that makes the server fail every time stalls the stream (its task
 *     restarts on that batch) instead of being dead-lettered
 * @param tokenEnv the environment variable holding a bearer token every call sends ({@code Authorization: Bearer
 *     ...}, as HuggingFace's Inference Endpoints and a server behind an authenticating gateway want), or null. The
 *     token itself is never written into teacher.json nor logged: it is read from the environment at each call
 * @param cacheEntries answers kept by input, so that an input seen again is not asked again ({@link AnswerCache});
 *     0 keeps none. Default {@value #DEFAULT_LLM_CACHE_ENTRIES} for kind llm, whose calls are the dearest, 0 for the
 *     others
 * @param maxCallsPerSecond calls started a second at most (a hosted API's rate limit: its requests a minute over
 *     60), 0 for no limit; each call then starts no sooner than {@code 1 / maxCallsPerSecond} after the last
 */
public record OipOptions(URI url, String model, String modelVersion, Duration timeout, int retries,
    Duration backoff, int breakerFailures, Duration breakerOpen, Set<Integer> retryStatus, String tokenEnv,
    int cacheEntries, double maxCallsPerSecond) {

  public static final long DEFAULT_TIMEOUT_MS = 2_000;
  public static final int DEFAULT_RETRIES = 2;
  public static final long DEFAULT_BACKOFF_MS = 100;
  public static final int DEFAULT_BREAKER_FAILURES = 5;
  public static final long DEFAULT_BREAKER_OPEN_MS = 5_000;
  /** Too many requests, bad gateway, unavailable, gateway timeout: what a proxy or a loaded server answers. */
  public static final String DEFAULT_RETRY_STATUS = "429,502,503,504";
  /** Answers an llm teacher keeps by input unless told otherwise: a few megabytes of logits. */
  public static final int DEFAULT_LLM_CACHE_ENTRIES = 100_000;

  private static final Set<String> KNOWN = Set.of("url", "model", "modelVersion", "timeoutMs", "retries", "backoffMs",
      "breakerFailures", "breakerOpenMs", "retryStatus", "tokenEnv", "cacheEntries",
      "maxCallsPerSecond");

  public OipOptions {
    if (retries < 0 || breakerFailures < 1 || cacheEntries < 0) {
      throw new IllegalArgumentException("teacher.json options: retries and cacheEntries must be >= 0 and"
          + " breakerFailures >= 1");
    }
    if (!(maxCallsPerSecond >= 0) || maxCallsPerSecond > 1e6) {
      throw new IllegalArgumentException("teacher.json options: maxCallsPerSecond must be a number from 0 (no limit)"
          + " to 1000000, is " + maxCallsPerSecond);
    }
    if (retryStatus.isEmpty() || retryStatus.stream().anyMatch(s -> s < 400 || s > 599)) {
      throw new IllegalArgumentException("teacher.json options: retryStatus must list HTTP error statuses"
          + " (400-599), is " + retryStatus);
    }
    // Sorted, so that the set reads the same in messages and logs as in teacher.json.
    retryStatus = Collections.unmodifiableSortedSet(new TreeSet<>(retryStatus));
  }

  /** Reads the options of a teacher.json, naming the option that is missing or wrong. */
  public static OipOptions parse(Map<String, String> options) {
    return parse(options, "oip", Set.of());
  }

  /**
   * Reads the call options of a remote teacher of {@code kind}, whose own options ({@code kindKeys}) are read
   * elsewhere; any other key is refused, naming the ones known.
   */
  static OipOptions parse(Map<String, String> options, String kind, Set<String> kindKeys) {
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key) && !kindKeys.contains(key)) {
        Set<String> known = new TreeSet<>(KNOWN);
        known.addAll(kindKeys);
        throw new IllegalArgumentException("teacher.json options: unknown option '" + key + "' for kind " + kind
            + "; known: " + known);
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
    String tokenEnv = options.get("tokenEnv");
    if (tokenEnv != null) {
      // A variable's name, as people write them: a value that is no such name (or looks like HuggingFace's
      // hf_... tokens) is taken for a token pasted here, and never repeated in a message or a log.
      if (!tokenEnv.matches("[A-Z_][A-Z0-9_]*")) {
        throw new IllegalArgumentException("teacher.json options: tokenEnv names the environment variable that holds"
            + " the token (e.g. HF_TOKEN, in capitals), not the token itself");
      }
      String token = System.getenv(tokenEnv);
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("teacher.json options: tokenEnv is " + tokenEnv + ", which is not set here:"
            + " export " + tokenEnv + "=... (the server's access token) before starting");
      }
    }
    return new OipOptions(base, model, version == null || version.isBlank() ? null : version,
        Duration.ofMillis(positive(options, "timeoutMs", DEFAULT_TIMEOUT_MS)),
        (int) atLeast(options, "retries", DEFAULT_RETRIES, 0),
        Duration.ofMillis(atLeast(options, "backoffMs", DEFAULT_BACKOFF_MS, 0)),
        (int) positive(options, "breakerFailures", DEFAULT_BREAKER_FAILURES),
        Duration.ofMillis(positive(options, "breakerOpenMs", DEFAULT_BREAKER_OPEN_MS)),
        statuses(options.getOrDefault("retryStatus", DEFAULT_RETRY_STATUS)), tokenEnv,
        (int) Math.min(10_000_000, atLeast(options, "cacheEntries", kind.equals(LlmTeacherLoader.KIND)
            ? DEFAULT_LLM_CACHE_ENTRIES : 0, 0)), callsPerSecond(options.get("maxCallsPerSecond")));
  }

  private static double callsPerSecond(String value) {
    if (value == null) {
      return 0;
    }
    try {
      return Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("teacher.json options: maxCallsPerSecond must be a number (e.g. 8, or 0.5"
          + " for 30 requests a minute), is '" + value + "'", e);
    }
  }

  /**
   * A request to {@code uri} with the call timeout, and the bearer token when {@link #tokenEnv} names one.
   *
   * @throws IllegalStateException when the token's variable was unset since the options were read
   */
  java.net.http.HttpRequest.Builder request(URI uri) {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(uri).timeout(timeout);
    if (tokenEnv != null) {
      String token = System.getenv(tokenEnv);
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("the environment variable " + tokenEnv + " (tokenEnv) holds no token");
      }
      request.header("Authorization", "Bearer " + token.strip());
    }
    return request;
  }

  /** Whether an answer with this status refuses the caller (401, 403) rather than the inputs or the moment. */
  static boolean refusesCaller(int status) {
    return status == 401 || status == 403;
  }

  /** Why a server refuses the caller, in words: no token sent, or the one sent. */
  String whyRefused() {
    return tokenEnv == null ? "the server wants an access token: export it in a variable and name the variable with"
        + " the option tokenEnv (import-teacher --option tokenEnv=HF_TOKEN, or OPENAI_API_KEY, ...)"
        : "the token in " + tokenEnv + " (tokenEnv) is refused: wrong, expired, or without access to this model";
  }

  /** Whether an answer with this status is the remote's outage (retry it) rather than a refusal of the batch. */
  public boolean isOutage(int status) {
    return retryStatus.contains(status);
  }

  /**
   * The {@code retryStatus} option: whole numbers 400-599 separated by commas. A 2xx or 3xx is refused: a 200 is
   * an answer, and retrying a redirect would only repeat it.
   */
  private static Set<Integer> statuses(String value) {
    Set<Integer> statuses = new TreeSet<>();
    for (String part : value.split(",", -1)) {
      String status = part.trim();
      int parsed;
      try {
        parsed = Integer.parseInt(status);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("teacher.json options: retryStatus must be HTTP statuses separated by"
            + " commas, e.g. \"" + DEFAULT_RETRY_STATUS + "\"; '" + status + "' in '" + value
            + "' is not a whole number", e);
      }
      if (parsed < 400 || parsed > 599) {
        throw new IllegalArgumentException("teacher.json options: retryStatus may only list error statuses 400-599;"
            + " " + parsed + " in '" + value + "' is not one");
      }
      statuses.add(parsed);
    }
    return statuses;
  }

  /** The model's path on the server: {@code /v2/models/{model}[/versions/{v}]}. */
  public URI modelUri() {
    return URI.create(url + "/v2/models/" + modelPath());
  }

  /**
   * The model and its pinned version as a path, encoded: {@code {model}[/versions/{v}]}, after {@code /v2/models/}
   * (Open Inference Protocol) or {@code /v1/models/} (the v1 predict protocol).
   */
  String modelPath() {
    return encode(model) + (modelVersion == null ? "" : "/versions/" + encode(modelVersion));
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
