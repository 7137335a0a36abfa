package io.streamdistill.edge.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.edge.EdgeAnswer;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.NotServingException;
import io.streamdistill.edge.versions.AdminCommandException;
import io.streamdistill.edge.versions.ServingStatus;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.student.InputMismatchException;
import io.streamdistill.student.StudentInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge node's HTTP face (the services' {@link HttpServer}: Netty, keep-alive; JSON):
 *
 * <ul>
 *   <li>{@code POST /predict} {@code {"text": "..."}}, {@code {"vector": [..]}} or {@code {"fields": {"proto": "tcp",
 *       "bytes": 181, "flag": null}}} (a structured record: each field a number, a string or null), or more than
 *       one of them (the student reads the one its spec names), or {@code {"image": "<base64 of a PNG, JPEG,
 *       ...>"}} for a convolutional student (read at its size and colour as its training images were): {@code
 *       {"label", "classes", "probabilities", "model", "modelVersion", "answeredBy": "student"|"teacher",
 *       "uncertain", "teacherAsked", "teacherFailed"?, "studentConfidence", "micros"}}. 400 bad input, 413 too
 *       large, 503 no version yet.
 *   <li>{@code /authorize} (any method): the node in a gateway's request path (nginx {@code auth_request}); see
 *       {@link GatewayEndpoint}.
 *   <li>{@code GET /health}: 200 {@code {"status": "UP", ...}} while a version is served, else 503 with the reason.
 *   <li>{@code GET /metrics}: Prometheus text format.
 *   <li>{@code POST /admin/pin} {@code {"version": N}} (no body: the served one), {@code POST /admin/unpin},
 *       {@code POST /admin/rollback} {@code {"version": N}} (no body: the previous one). They need {@code
 *       Authorization: Bearer <token>}: 401 without it, 403 with a wrong one, 404 when the server has no token
 *       (admin disabled). 404 for a version not held, 409 when the state does not allow it.
 * </ul>
 *
 * <p>Requests are answered by a fixed pool of threads; a request that cascades to the teacher holds its
 * thread up to the teacher timeout, so the pool should be larger than the number of cores.
 */
public final class EdgeHttpServer implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(EdgeHttpServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final EdgeNode node;
  private final Settings settings;

  /**
   * HTTP settings.
   *
   * @param port the port; 0 picks a free one
   * @param threads request threads
   * @param maxBodyBytes largest request body accepted
   * @param adminToken the bearer token of the admin endpoints; null disables them. Never logged.
   * @param gateway what {@code /authorize} answers a gateway for each class
   */
  public record Settings(int port, int threads, int maxBodyBytes, String adminToken, GatewayPolicy gateway) {
    /** Settings whose {@code /authorize} allows every class. */
    public Settings(int port, int threads, int maxBodyBytes, String adminToken) {
      this(port, threads, maxBodyBytes, adminToken, GatewayPolicy.allowAll());
    }

    public Settings {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("--http-port must be in [0, 65535], got " + port);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("--http-threads must be at least 1, got " + threads);
      }
      if (maxBodyBytes < 64) {
        throw new IllegalArgumentException("--max-body-bytes must be at least 64, got " + maxBodyBytes);
      }
      if (adminToken != null && adminToken.isBlank()) {
        throw new IllegalArgumentException("the admin token must not be empty");
      }
    }

    @Override
    public String toString() {
      return "Settings[port=" + port + ", threads=" + threads + ", maxBodyBytes=" + maxBodyBytes + ", admin="
          + (adminToken == null ? "disabled" : "enabled") + ", gateway=" + gateway + "]";
    }
  }

  /** Starts serving {@code node} now. */
  public EdgeHttpServer(EdgeNode node, Settings settings, PrometheusMeterRegistry metrics) throws IOException {
    this.node = node;
    this.settings = settings;
    this.server = HttpServer.builder("edge-http").port(settings.port()).threads(settings.threads())
        .maxBodyBytes(settings.maxBodyBytes())
        .route("/predict", request -> handle(request, "POST", this::predict))
        .route("/authorize", new GatewayEndpoint(node, settings.gateway())::authorize)
        .route("/health", request -> handle(request, "GET", this::health))
        .route("/metrics", request -> HttpResponse.prometheus(metrics.scrape()))
        .route("/admin/pin", request -> admin(request, body -> node.pin(version(body))))
        .route("/admin/unpin", request -> admin(request, body -> node.unpin()))
        .route("/admin/rollback", request -> admin(request, body -> node.rollback(version(body))))
        .start();
    LOGGER.atInfo().addKeyValue("port", port()).addKeyValue("threads", settings.threads())
        .addKeyValue("admin", settings.adminToken() != null).log("edge HTTP endpoint listening");
  }

  public int port() {
    return server.port();
  }

  /** An answer: status, JSON body and any further header. */
  private record Reply(int status, JsonNode body, String headerName, String headerValue) {
    Reply(int status, JsonNode body) {
      this(status, body, null, null);
    }
  }

  /** A request that cannot be answered as asked; becomes the status with {"error": message}. */
  private static final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String headerName;
    private final String headerValue;

    HttpError(int status, String message) {
      this(status, message, null, null);
    }

    HttpError(int status, String message, String headerName, String headerValue) {
      super(message, null, false, false);
      this.status = status;
      this.headerName = headerName;
      this.headerValue = headerValue;
    }
  }

  private interface Handler {
    Reply handle(byte[] body) throws IOException;
  }

  private HttpResponse handle(HttpRequest request, String method, Handler handler) throws IOException {
    Reply reply;
    try {
      if (!method.equals(request.method())) {
        throw new HttpError(405, "use " + method, "Allow", method);
      }
      reply = handler.handle(request.body());
    } catch (HttpError e) {
      reply = new Reply(e.status, error(e.getMessage()), e.headerName, e.headerValue);
    } catch (RuntimeException e) {
      LOGGER.atWarn().setCause(e).addKeyValue("path", request.rawPath()).log("request failed");
      reply = new Reply(500, error("internal error: " + e));
    }
    HttpResponse response = HttpResponse.json(reply.status(), JSON.writeValueAsBytes(reply.body()));
    return reply.headerName() == null ? response : response.withHeader(reply.headerName(), reply.headerValue());
  }

  private Reply predict(byte[] body) throws IOException {
    try {
      StudentInput input = parseInput(body, node::imageVector);
      return new Reply(200, answer(node.predict(input)));
    } catch (NotServingException e) {
      throw new HttpError(503, e.getMessage());
    } catch (InputMismatchException e) {
      throw new HttpError(400, e.getMessage());
    }
  }

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /**
   * The request's input: its text, vector and fields as given, or the vector {@code images} makes of its image
   * ({@code "image"}: the file's bytes in base64, a {@code data:image/png;base64,} prefix allowed).
   */
  static StudentInput parseInput(byte[] body, Function<byte[], float[]> images) {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new HttpError(400, "body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new HttpError(400, "body is not readable: " + e.getMessage());
    }
    if (json == null || !json.isObject()) {
      throw new HttpError(400, "body must be a JSON object with \"text\", \"vector\", \"fields\" or \"image\"");
    }
    JsonNode imageNode = json.get("image");
    if (imageNode != null && !imageNode.isNull()) {
      if (!imageNode.isTextual()) {
        throw new HttpError(400, "\"image\" must be a string: the image file's bytes in base64");
      }
      String base64 = imageNode.textValue();
      int comma = base64.startsWith("data:") ? base64.indexOf(',') : -1;
      byte[] image;
      try {
        // Line breaks (MIME's 76-character lines) and spaces are allowed; anything else not base64 is refused.
        image = Base64.getDecoder().decode(WHITESPACE.matcher(base64.substring(comma + 1)).replaceAll(""));
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "\"image\" is not base64: " + e.getMessage());
      }
      return new StudentInput(null, images.apply(image), null);
    }
    String text = null;
    JsonNode textNode = json.get("text");
    if (textNode != null && !textNode.isNull()) {
      if (!textNode.isTextual()) {
        throw new HttpError(400, "\"text\" must be a string");
      }
      text = textNode.asText();
    }
    float[] vector = null;
    JsonNode vectorNode = json.get("vector");
    if (vectorNode != null && !vectorNode.isNull()) {
      if (!vectorNode.isArray()) {
        throw new HttpError(400, "\"vector\" must be an array of numbers");
      }
      vector = new float[vectorNode.size()];
      for (int i = 0; i < vector.length; i++) {
        if (!vectorNode.get(i).isNumber()) {
          throw new HttpError(400, "vector value at index " + i + " is not a number");
        }
        vector[i] = (float) vectorNode.get(i).asDouble();
      }
    }
    Map<String, Object> fields = null;
    JsonNode fieldsNode = json.get("fields");
    if (fieldsNode != null && !fieldsNode.isNull()) {
      if (!fieldsNode.isObject()) {
        throw new HttpError(400, "\"fields\" must be an object of named numbers, strings or nulls");
      }
      // HashMap: a field may be null (missing), which the student reads as its mean or unseen category.
      fields = new HashMap<>();
      for (Map.Entry<String, JsonNode> entry : fieldsNode.properties()) {
        JsonNode value = entry.getValue();
        if (value.isNumber()) {
          fields.put(entry.getKey(), value.doubleValue());
        } else if (value.isTextual()) {
          fields.put(entry.getKey(), value.textValue());
        } else if (value.isNull()) {
          fields.put(entry.getKey(), null);
        } else {
          throw new HttpError(400, "field \"" + entry.getKey() + "\" must be a number, a string or null");
        }
      }
    }
    if (text == null && vector == null && fields == null) {
      throw new HttpError(400, "body must have \"text\", \"vector\", \"fields\" or \"image\"");
    }
    return new StudentInput(text, vector, fields);
  }

  private static ObjectNode answer(EdgeAnswer answer) {
    ObjectNode json = JSON.createObjectNode().put("label", answer.label());
    ArrayNode classes = json.putArray("classes");
    answer.classes().forEach(classes::add);
    ArrayNode probabilities = json.putArray("probabilities");
    answer.probabilities().forEach(probabilities::add);
    json.put("model", answer.modelName())
        .put("modelVersion", answer.modelVersion())
        .put("answeredBy", answer.answeredBy().wireName())
        .put("uncertain", answer.uncertain())
        .put("teacherAsked", answer.teacherAsked());
    if (answer.teacherFailure() != null) {
      json.put("teacherFailed", answer.teacherFailure());
    }
    json.put("studentConfidence", answer.studentConfidence()).put("micros", answer.micros());
    return json;
  }

  private Reply health(byte[] body) {
    ServingStatus status = node.status();
    ObjectNode json = statusJson(status);
    if (status.serving()) {
      json.put("status", "UP");
      return new Reply(200, json);
    }
    json.put("status", status.caughtUp() ? "NO_VERSION" : "STARTING").put("reason", node.notServingReason());
    return new Reply(503, json);
  }

  private static ObjectNode statusJson(ServingStatus status) {
    ObjectNode json = JSON.createObjectNode()
        .put("nodeId", status.nodeId())
        .put("model", status.modelName())
        .put("caughtUp", status.caughtUp());
    if (status.serving()) {
      json.put("version", status.servedVersion()).put("pinned", status.pinned())
          .put("since", status.since().toString());
    }
    ArrayNode held = json.putArray("heldVersions");
    status.heldVersions().forEach(held::add);
    if (status.lastRejection() != null) {
      json.put("lastRejection", status.lastRejection());
    }
    return json;
  }

  private HttpResponse admin(HttpRequest request, Function<byte[], ServingStatus> command) throws IOException {
    return handle(request, "POST", body -> {
      if (settings.adminToken() == null) {
        throw new HttpError(404, "admin endpoints are disabled: start the node with --admin-token-file");
      }
      String authorization = request.header("Authorization");
      if (authorization == null || !authorization.startsWith("Bearer ")) {
        throw new HttpError(401, "admin endpoints need 'Authorization: Bearer <token>'", "WWW-Authenticate", "Bearer");
      }
      // Constant time, so that the token cannot be guessed byte by byte from response times.
      if (!MessageDigest.isEqual(settings.adminToken().getBytes(StandardCharsets.UTF_8),
          authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8))) {
        throw new HttpError(403, "wrong admin token");
      }
      try {
        ServingStatus status = command.apply(body);
        return new Reply(200, statusJson(status).put("status", status.serving() ? "UP" : "NO_VERSION"));
      } catch (AdminCommandException e) {
        throw new HttpError(e.kind() == AdminCommandException.Kind.NOT_HELD ? 404 : 409, e.getMessage());
      }
    });
  }

  /** {"version": N} from an admin body; an empty body (or {}) means "the default one". */
  static OptionalLong version(byte[] body) {
    if (new String(body, StandardCharsets.UTF_8).isBlank()) {
      return OptionalLong.empty();
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new HttpError(400, "body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new HttpError(400, "body is not readable: " + e.getMessage());
    }
    if (json == null || !json.isObject()) {
      throw new HttpError(400, "body must be a JSON object such as {\"version\": 3}");
    }
    JsonNode version = json.get("version");
    if (version == null || version.isNull()) {
      return OptionalLong.empty();
    }
    if (!version.canConvertToLong() || !version.isIntegralNumber()) {
      throw new HttpError(400, "\"version\" must be a whole number");
    }
    return OptionalLong.of(version.asLong());
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  /** Stops accepting requests, lets running ones finish for up to a second, stops the threads. */
  @Override
  public void close() {
    server.close();
  }
}
