package io.streamdistill.teacher.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.http.HttpResponse;

/**
 * JSON replies, shared by {@code /predict}, {@code /health} and the Open Inference Protocol endpoints so that all
 * of them shape answers and errors the same way (bodies are capped by the server).
 */
final class JsonReplies {
  static final ObjectMapper JSON = new ObjectMapper();

  private JsonReplies() {}

  static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  static HttpResponse reply(int status, JsonNode body) throws JsonProcessingException {
    return reply(status, body, JSON);
  }

  static HttpResponse reply(int status, JsonNode body, ObjectMapper mapper) throws JsonProcessingException {
    return HttpResponse.json(status, mapper.writeValueAsBytes(body));
  }
}
