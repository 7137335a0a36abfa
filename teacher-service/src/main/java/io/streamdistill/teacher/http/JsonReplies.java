package io.streamdistill.teacher.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reading bodies and writing JSON replies, shared by {@code /predict}, {@code /health} and the Open
 * Inference Protocol endpoints so that all of them cap bodies and shape errors the same way.
 */
final class JsonReplies {
  static final ObjectMapper JSON = new ObjectMapper();

  private JsonReplies() {}

  /** The body, or null when it is over {@code maxBodyBytes}: reads one byte more, never the whole of it. */
  static byte[] readLimited(InputStream in, int maxBodyBytes) throws IOException {
    byte[] body = in.readNBytes(maxBodyBytes + 1);
    return body.length > maxBodyBytes ? null : body;
  }

  static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
    reply(exchange, status, body, JSON);
  }

  static void reply(HttpExchange exchange, int status, JsonNode body, ObjectMapper mapper) throws IOException {
    byte[] bytes = mapper.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
