package io.streamdistill.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServerTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.builder("test-http").threads(2).maxBodyBytes(100)
        .route("/echo", request -> {
          if (!request.method().equals("POST")) {
            return HttpResponse.error(405, "use POST").withHeader("Allow", "POST");
          }
          return HttpResponse.json(200, request.body()).withHeader("X-Query", String.valueOf(request.query()));
        })
        .route("/slow", request -> {
          release.await(10, TimeUnit.SECONDS);
          return HttpResponse.json(200, "\"slow\"".getBytes(StandardCharsets.UTF_8));
        })
        .route("/fail", request -> {
          throw new IllegalStateException("broken \"handler\"");
        })
        .routeUnder("/v2", request -> HttpResponse.json(200,
            ("\"" + String.join("|", request.segmentsAfter("/v2")) + "\"").getBytes(StandardCharsets.UTF_8)))
        .start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
  }

  private java.net.http.HttpResponse<String> send(String method, String path, String body) throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
    return client.send(request, BodyHandlers.ofString());
  }

  @Test
  void answersRoutesWithTheirBodiesHeadersAndQuery() throws Exception {
    var echo = send("POST", "/echo?a=1", "{\"x\":1}");
    assertEquals(200, echo.statusCode());
    assertEquals("{\"x\":1}", echo.body());
    assertEquals("application/json", echo.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("a=1", echo.headers().firstValue("X-Query").orElseThrow());
    var get = send("GET", "/echo", null);
    assertEquals(405, get.statusCode());
    assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());
    assertEquals("\"models|my model|infer\"", send("POST", "/v2/models/my%20model/infer", "{}").body());
    assertEquals("\"\"", send("GET", "/v2", null).body());
  }

  @Test
  void unknownPathsOversizedBodiesAndFailingHandlersGetJsonErrors() throws Exception {
    var missing = send("GET", "/echoes", null);
    assertEquals(404, missing.statusCode());
    assertEquals("{\"error\":\"no such endpoint: /echoes\"}", missing.body());
    assertEquals(404, send("GET", "/v2x", null).statusCode());
    var large = send("POST", "/echo", "x".repeat(101));
    assertEquals(413, large.statusCode());
    assertEquals("{\"error\":\"request body over 100 bytes\"}", large.body());
    assertEquals(200, send("POST", "/echo", "x".repeat(100)).statusCode(), "a body at the limit is taken");
    var failed = send("GET", "/fail", null);
    assertEquals(500, failed.statusCode());
    assertTrue(failed.body().contains("broken \\\"handler\\\""), failed.body());
    assertEquals(200, send("POST", "/echo", "{}").statusCode(), "the server goes on after all of them");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
    try (Socket socket = new Socket("localhost", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      String requests = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
          + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
          + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond";
      out.write(requests.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(200);
      release.countDown();
      String answers = readUntil(socket.getInputStream(), "second");
      int slow = answers.indexOf("\"slow\"");
      int first = answers.indexOf("first");
      int second = answers.indexOf("second");
      assertTrue(slow >= 0 && slow < first && first < second, answers);
    }
  }

  @Test
  void aBlockedRequestDoesNotStallOtherConnections() throws Exception {
    var slow = client.sendAsync(java.net.http.HttpRequest.newBuilder(
        URI.create("http://localhost:" + server.port() + "/slow")).build(), BodyHandlers.ofString());
    for (int i = 0; i < 20; i++) {
      assertEquals(200, send("POST", "/echo", "{}").statusCode());
    }
    assertTrue(!slow.isDone(), "the slow request is still in hand");
    release.countDown();
    assertEquals(200, slow.get(10, TimeUnit.SECONDS).statusCode());
  }

  @Test
  void aMalformedRequestGets400AndTheConnectionCloses() throws Exception {
    try (Socket socket = new Socket("localhost", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.") && answer.contains(" 400 "), answer);
    }
  }

  @Test
  void aTakenPortIsNamedInTheError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      IOException e = assertThrows(IOException.class,
          () -> HttpServer.builder("second").port(taken.getLocalPort()).start());
      assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> HttpServer.builder("x").port(70_000));
    assertThrows(IllegalArgumentException.class, () -> HttpServer.builder("x").threads(0));
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!read.toString(StandardCharsets.US_ASCII).contains(marker)) {
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      read.write(buffer, 0, n);
    }
    return read.toString(StandardCharsets.US_ASCII);
  }
}
