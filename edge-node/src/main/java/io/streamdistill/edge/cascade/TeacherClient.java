package io.streamdistill.edge.cascade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.student.StudentInput;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the teacher service ({@code POST /predict} with what the request carries: {@code {"text"}},
 * {@code {"vector"}} and/or {@code {"fields"}}, a structured record of named numbers, strings and nulls)
 * and waits at most the timeout, end to end (connecting, sending, the answer's headers and body):
 * the cascade may cost a request that much and never more. Never throws; a failure is a {@link
 * TeacherReply} that says what went wrong. Thread-safe (one {@link HttpClient} shared by all
 * requests, which keeps connections to the teacher open).
 */
public final class TeacherClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI url;
  private final Duration timeout;
  private final HttpClient http;

  public TeacherClient(URI url, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder()
        // The teacher's endpoint is a JDK HttpServer: HTTP/1.1 only, so do not offer an upgrade.
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .build();
  }

  public URI url() {
    return url;
  }

  public TeacherReply ask(StudentInput input) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(url)
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body(input))))
          .build();
    } catch (IOException e) {
      return TeacherReply.failed("error: " + e.getMessage());
    }
    CompletableFuture<HttpResponse<byte[]>> call = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> response;
    try {
      // The request's own timeout ends at the headers; this one covers the body too.
      response = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      return TeacherReply.failed("timeout");
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      return TeacherReply.failed("interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpTimeoutException) {
        return TeacherReply.failed("timeout");
      }
      if (cause instanceof ConnectException) {
        return TeacherReply.failed("unreachable");
      }
      return TeacherReply.failed("error: " + cause);
    }
    if (response.statusCode() != 200) {
      return TeacherReply.failed("status " + response.statusCode());
    }
    return parse(response.body());
  }

  static ObjectNode body(StudentInput input) {
    ObjectNode body = JSON.createObjectNode();
    if (input.text() != null) {
      body.put("text", input.text());
    }
    if (input.vector() != null) {
      ArrayNode vector = body.putArray("vector");
      for (float v : input.vector()) {
        vector.add(v);
      }
    }
    if (input.fields() != null) {
      ObjectNode fields = body.putObject("fields");
      input.fields().forEach((name, value) -> {
        if (value == null) {
          fields.putNull(name);
        } else if (value instanceof Number number) {
          fields.put(name, number.doubleValue());
        } else {
          fields.put(name, value.toString());
        }
      });
    }
    return body;
  }

  static TeacherReply parse(byte[] body) {
    try {
      JsonNode json = JSON.readTree(body);
      JsonNode label = json == null ? null : json.get("label");
      JsonNode classes = json == null ? null : json.get("classes");
      JsonNode probabilities = json == null ? null : json.get("probabilities");
      if (label == null || !label.isTextual() || classes == null || !classes.isArray() || probabilities == null
          || !probabilities.isArray() || classes.size() != probabilities.size()) {
        return TeacherReply.failed("bad answer: no label, classes and probabilities of the same length");
      }
      List<String> names = new ArrayList<>(classes.size());
      List<Double> p = new ArrayList<>(classes.size());
      for (int i = 0; i < classes.size(); i++) {
        names.add(classes.get(i).asText());
        p.add(probabilities.get(i).asDouble());
      }
      return TeacherReply.answered(label.asText(), names, p);
    } catch (IOException e) {
      return TeacherReply.failed("bad answer: not JSON");
    }
  }
}
