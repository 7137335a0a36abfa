package io.streamdistill.serde.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A {@link SchemaRegistryClient} that speaks Confluent's schema-registry REST protocol (v7), as
 * served by Confluent Schema Registry and by Apicurio Registry at {@code /apis/ccompat/v7}.
 *
 * <p>Thread-safe. Schemas by id and ids by (subject, schema) are cached for the life of the client,
 * as in Confluent's client: they cannot change. The latest version of a subject is cached for
 * {@link Settings#latestCacheTtl()} (forever when negative, as Confluent's {@code
 * latest.cache.ttl.sec=-1}).
 *
 * <p>Several base URLs may be given; each request tries them in order until one answers. When none
 * answers (an I/O error or a 5xx, such as a registry whose database timed out on a lock), the request
 * is tried again after a backoff that doubles from {@link Settings#retryWait()} up to {@link
 * Settings#retryMaxWait()}, at most {@link Settings#maxRetries()} times; then it fails with {@link
 * RegistryUnavailableException}. 4xx answers are never retried.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How to reach the registry. */
  public record Settings(
      List<String> baseUrls,
      Duration connectTimeout,
      Duration requestTimeout,
      String userInfo,
      Duration latestCacheTtl,
      int maxRetries,
      Duration retryWait,
      Duration retryMaxWait) {
    public Settings {
      if (baseUrls == null || baseUrls.isEmpty()) {
        throw new IllegalArgumentException("at least one schema registry URL is needed");
      }
      baseUrls = baseUrls.stream().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(latestCacheTtl, "latestCacheTtl");
      Objects.requireNonNull(retryWait, "retryWait");
      Objects.requireNonNull(retryMaxWait, "retryMaxWait");
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be 0 or more, not " + maxRetries);
      }
    }

    /**
     * Defaults for one URL: 10 s to connect, 30 s per request, no auth, latest cached forever, 3
     * retries from 100 ms.
     */
    public static Settings of(String baseUrl) {
      return new Settings(List.of(baseUrl), Duration.ofSeconds(10), Duration.ofSeconds(30), null,
          Duration.ofSeconds(-1), 3, Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** These settings with no retry: one try of each URL. */
    public Settings withoutRetries() {
      return new Settings(baseUrls, connectTimeout, requestTimeout, userInfo, latestCacheTtl, 0, retryWait,
          retryMaxWait);
    }
  }

  private record CachedLatest(RegisteredSchema schema, long fetchedAtNanos) {}

  /** Registrations tried when the registry reports a race between first registrations. */
  private static final int RACE_ATTEMPTS = 5;

  private final Settings settings;
  private final HttpClient http;
  private final String authorization;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
  private final Map<String, CachedLatest> latestBySubject = new ConcurrentHashMap<>();

  public RestSchemaRegistryClient(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    this.authorization =
        settings.userInfo() == null || settings.userInfo().isEmpty()
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(settings.userInfo().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int register(String subject, Schema schema) {
    Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer cached = ids.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode answer;
    for (int attempt = 1; ; attempt++) {
      try {
        answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
            "register a schema under subject '" + subject + "'");
        break;
      } catch (IncompatibleSchemaException e) {
        // Apicurio 2.4 answers 409 "... already exists" when two first registrations race (even of
        // different subjects) and registers nothing: not an incompatibility. The schema may be there
        // now (the other registration's); else register again.
        if (attempt >= RACE_ATTEMPTS || e.getMessage() == null || !e.getMessage().contains("already exists")) {
          throw e;
        }
        try {
          return idOf(subject, schema);
        } catch (SchemaNotFoundException notYet) {
          pause(20L * attempt);
        }
      }
    }
    int id = answer.path("id").asInt(-1);
    if (id < 0) {
      throw new SchemaRegistryException(
          "registry answered a registration under subject '" + subject + "' without an id: " + answer,
          200, -1, null);
    }
    ids.put(schema, id);
    schemasById.putIfAbsent(id, schema);
    latestBySubject.remove(subject); // this registration may be the new latest
    return id;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while waiting to try the registry again", -1, e);
    }
  }

  @Override
  public int idOf(String subject, Schema schema) {
    Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
    Integer cached = ids.get(schema);
    if (cached != null) {
      return cached;
    }
    JsonNode answer =
        send("POST", "/subjects/" + encode(subject), schemaBody(schema),
            "look up a schema under subject '" + subject + "'");
    int id = answer.path("id").asInt(-1);
    ids.put(schema, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode answer = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
    Schema schema = parse(answer.path("schema").asText(), "schema id " + id);
    Schema raced = schemasById.putIfAbsent(id, schema);
    return raced != null ? raced : schema;
  }

  @Override
  public RegisteredSchema latest(String subject) {
    CachedLatest cached = latestBySubject.get(subject);
    if (cached != null && fresh(cached)) {
      return cached.schema();
    }
    JsonNode answer =
        send("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
            "fetch the latest version of subject '" + subject + "'");
    int id = answer.path("id").asInt();
    Schema schema = schemasById.computeIfAbsent(id, i -> parse(answer.path("schema").asText(), "schema id " + i));
    RegisteredSchema latest = new RegisteredSchema(subject, answer.path("version").asInt(), id, schema);
    latestBySubject.put(subject, new CachedLatest(latest, System.nanoTime()));
    return latest;
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    String path = subject == null ? "/config" : "/config/" + encode(subject);
    send("PUT", path, body.toString(),
        "set compatibility " + level + (subject == null ? " globally" : " of subject '" + subject + "'"));
  }

  @Override
  public List<String> subjects() {
    JsonNode answer = send("GET", "/subjects", null, "list subjects");
    List<String> subjects = new ArrayList<>();
    answer.forEach(s -> subjects.add(s.asText()));
    return subjects;
  }

  @Override
  public void close() {
    // HttpClient of Java 17 has no close(); its threads are daemons and go with the process.
  }

  @Override
  public String toString() {
    return "RestSchemaRegistryClient" + settings.baseUrls();
  }

  private boolean fresh(CachedLatest cached) {
    Duration ttl = settings.latestCacheTtl();
    return ttl.isNegative() || System.nanoTime() - cached.fetchedAtNanos() < ttl.toNanos();
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static Schema parse(String text, String what) {
    try {
      return new Schema.Parser().parse(text);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(
          "registry returned a schema for " + what + " that is not valid Avro: " + e.getMessage(), 200, -1, e);
    }
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Sends a request, tried again with backoff while no registry answers; maps error answers to exceptions. */
  private JsonNode send(String method, String path, String body, String what) {
    long wait = settings.retryWait().toMillis();
    for (int retry = 0; ; retry++) {
      try {
        return sendOnce(method, path, body, what);
      } catch (RegistryUnavailableException e) {
        if (retry >= settings.maxRetries() || Thread.currentThread().isInterrupted()) {
          throw retry == 0 ? e : new RegistryUnavailableException(
              e.getMessage() + "; gave up after " + (retry + 1) + " tries", -1, e.getCause());
        }
        pause(wait);
        wait = Math.min(wait * 2, settings.retryMaxWait().toMillis());
      }
    }
  }

  /** Sends one request to the first registry that answers; maps error answers to exceptions. */
  private JsonNode sendOnce(String method, String path, String body, String what) {
    List<String> failures = new ArrayList<>();
    IOException lastIo = null;
    for (String base : settings.baseUrls()) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(settings.requestTimeout())
              .header("Accept", CONTENT_TYPE + ", application/json");
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      request.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      if (body != null) {
        request.header("Content-Type", CONTENT_TYPE);
      }
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        lastIo = e;
        failures.add(base + ": " + describe(e));
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException("interrupted while trying to " + what, -1, e);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return readJson(response.body(), what, status);
      }
      if (status >= 500) {
        failures.add(base + ": HTTP " + status + " " + abbreviate(response.body()));
        continue;
      }
      throw errorFor(status, response.body(), what, base);
    }
    throw new RegistryUnavailableException(
        "schema registry unavailable: could not " + what + " (tried " + String.join("; ", failures) + ")",
        -1, lastIo);
  }

  private static JsonNode readJson(String body, String what, int status) {
    try {
      return body == null || body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "registry answered '" + what + "' with a body that is not JSON: " + abbreviate(body), status, -1, e);
    }
  }

  private static SchemaRegistryException errorFor(int status, String body, String what, String base) {
    int errorCode = -1;
    String message = abbreviate(body);
    try {
      JsonNode json = JSON.readTree(body);
      errorCode = json.path("error_code").asInt(-1);
      if (json.hasNonNull("message")) {
        message = json.get("message").asText();
      }
    } catch (IOException | RuntimeException ignored) {
      // not JSON: keep the raw body in the message
    }
    String text = "could not " + what + " at " + base + ": HTTP " + status
        + (errorCode > 0 ? " (error code " + errorCode + ")" : "") + ": " + message;
    return switch (status) {
      case 404 -> new SchemaNotFoundException(text, status, errorCode);
      case 409 -> new IncompatibleSchemaException(
          "schema is incompatible with the subject's registered versions; " + text, status, errorCode);
      case 401, 403 -> new SchemaRegistryException(
          text + " (check basic.auth.credentials.source and basic.auth.user.info)", status, errorCode, null);
      default -> new SchemaRegistryException(text, status, errorCode, null);
    };
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    return e.getMessage() == null ? kind : kind + " " + e.getMessage();
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
