package io.streamdistill.edge.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdistill.edge.EdgeAnswer;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.edge.NotServingException;
import io.streamdistill.http.HttpRequest;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.student.InputMismatchException;
import io.streamdistill.student.RequestText;
import io.streamdistill.student.StudentInput;
import java.io.IOException;

/**
 * {@code /authorize}: the edge node in a gateway's request path, as nginx's {@code auth_request} (or any proxy's
 * external authorization) calls it. The gateway passes the original request line in {@code X-Original-Method} and
 * {@code X-Original-URI} (and the request's own headers); the student classifies {@link RequestText} of it, and
 * the {@link GatewayPolicy} turns the class into the answer:
 *
 * <ul>
 *   <li>allow: 200; route: 200 with {@code X-Distill-Route}; deny: 403;
 *   <li>every answer carries {@code X-Distill-Class}, {@code X-Distill-Action} and {@code X-Distill-Answered-By}
 *       ({@code student} or {@code teacher}), and a JSON body for people reading it;
 *   <li>503 when the node has no version or its student does not read text, 400 without {@code X-Original-URI}:
 *       the gateway decides (fail open or closed) what that means for the request.
 * </ul>
 *
 * <p>An unsure student cascades to the teacher and the request goes back to input-events, as for {@code /predict}.
 * Stateless apart from the node it asks; safe from any request thread.
 */
final class GatewayEndpoint {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EdgeNode node;
  private final GatewayPolicy policy;

  GatewayEndpoint(EdgeNode node, GatewayPolicy policy) {
    this.node = node;
    this.policy = policy;
  }

  HttpResponse authorize(HttpRequest request) throws IOException {
    String uri = request.header("X-Original-URI");
    if (uri == null || uri.isBlank()) {
      return HttpResponse.error(400, "/authorize needs the original request in X-Original-URI (and"
          + " X-Original-Method); in nginx: proxy_set_header X-Original-URI $request_uri;");
    }
    String text = RequestText.of(request.header("X-Original-Method"), uri, policy.headers(), request::header);
    EdgeAnswer answer;
    try {
      answer = node.predict(StudentInput.ofText(text));
    } catch (NotServingException e) {
      return HttpResponse.error(503, e.getMessage());
    } catch (InputMismatchException e) {
      return HttpResponse.error(503, "the served student cannot classify requests (" + e.getMessage()
          + "): /authorize needs a student that reads text");
    }
    GatewayPolicy.Action action = policy.actionFor(answer.label());
    var body = JSON.createObjectNode().put("action", action.toString()).put("label", answer.label())
        .put("answeredBy", answer.answeredBy().wireName()).put("modelVersion", answer.modelVersion())
        .put("studentConfidence", answer.studentConfidence());
    HttpResponse response = HttpResponse.json(action.kind() == GatewayPolicy.Action.Kind.DENY ? 403 : 200,
            JSON.writeValueAsBytes(body))
        .withHeader("X-Distill-Class", answer.label())
        .withHeader("X-Distill-Action", action.kind().name().toLowerCase(java.util.Locale.ROOT))
        .withHeader("X-Distill-Answered-By", answer.answeredBy().wireName());
    return action.kind() == GatewayPolicy.Action.Kind.ROUTE ? response.withHeader("X-Distill-Route", action.route())
        : response;
  }
}
