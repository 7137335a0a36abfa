package io.streamdistill.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.serde.registry.IncompatibleSchemaException;
import io.streamdistill.serde.registry.RegistryUnavailableException;
import io.streamdistill.serde.registry.SchemaRegistryClient;
import io.streamdistill.serde.registry.SchemaRegistryClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** What the REST client does when no registry answers: a clear error naming what was tried. */
class RestSchemaRegistryClientTest {

  @Test
  void shouldSayTheRegistryIsDownWithTopicAndUrl() throws IOException {
    String url = "http://127.0.0.1:" + closedPort();
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class,
        Map.of("schema.registry.url", url, "http.connect.timeout.ms", 2000))) {
      AvroSerdeException e = assertThrows(AvroSerdeException.class,
          () -> serde.serializer().serialize("orders", SampleRecords.inputEvent()));
      assertEquals("orders", e.topic());
      assertInstanceOf(RegistryUnavailableException.class, e.getCause());
      assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
      assertTrue(e.getMessage().contains(url), e.getMessage());
    }
  }

  @Test
  void shouldSayTheRegistryIsDownWhenFetchingAWriterSchema() throws IOException {
    String url = "http://127.0.0.1:" + closedPort();
    byte[] framed = {0, 0, 0, 0, 7, 2};
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, Map.of("schema.registry.url", url))) {
      AvroSerdeException e = assertThrows(AvroSerdeException.class,
          () -> serde.deserializer().deserialize("orders", framed));
      assertEquals(7, e.schemaId().orElseThrow());
      assertTrue(e.getMessage().contains("registry unavailable"), e.getMessage());
    }
  }

  @Test
  void shouldTakeTheIdOfARegistrationThatRacedItAndStillRefuseAnIncompatibleSchema() throws IOException {
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      requests.add(exchange.getRequestMethod() + " " + path);
      String body;
      int status;
      if (path.equals("/subjects/raced-value/versions")) {
        // Apicurio 2.4 when two first registrations race: nothing registered, a 409.
        status = 409;
        body = "{\"message\":\"An artifact with ID 'raced-value' in group 'null' already exists.\",\"error_code\":409}";
      } else if (path.equals("/subjects/raced-value")) {
        status = 200;
        body = "{\"subject\":\"raced-value\",\"version\":1,\"id\":5,\"schema\":\"\\\"string\\\"\"}";
      } else {
        status = 409;
        body = "{\"message\":\"Incompatible artifact: expected io.streamdistill.schemas.InputEvent\","
            + "\"error_code\":409}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    stub.start();
    String url = "http://127.0.0.1:" + stub.getAddress().getPort();
    try (SchemaRegistryClient client = SchemaRegistryClients.create(Map.of("schema.registry.url", url))) {
      assertEquals(5, client.register("raced-value", Schema.create(Schema.Type.STRING)));
      assertEquals(List.of("POST /subjects/raced-value/versions", "POST /subjects/raced-value"), requests);
      requests.clear();
      assertThrows(IncompatibleSchemaException.class,
          () -> client.register("other-value", Schema.create(Schema.Type.STRING)));
      assertEquals(List.of("POST /subjects/other-value/versions"), requests, "a real incompatibility: asked once");
    } finally {
      stub.stop(0);
    }
  }

  @Test
  void shouldTryAgainWhileTheRegistryAnswers5xxAndGiveUpAfterMaxRetries() throws IOException {
    List<String> requests = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(2);
    HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      requests.add(path);
      boolean fail = path.startsWith("/subjects/down") || failuresLeft.getAndDecrement() > 0;
      // Apicurio on H2 when two registrations lock the same table: a 500 that goes away.
      String body = fail ? "{\"message\":\"JdbcSQLTimeoutException: Timeout trying to lock table\",\"error_code\":0}"
          : "{\"id\":9}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(fail ? 500 : 200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    stub.start();
    String url = "http://127.0.0.1:" + stub.getAddress().getPort();
    try (SchemaRegistryClient client = SchemaRegistryClients.create(
        Map.of("schema.registry.url", url, "max.retries", 3, "retries.wait.ms", 10))) {
      assertEquals(9, client.register("flaky-value", Schema.create(Schema.Type.STRING)));
      assertEquals(3, requests.size(), "two 500s, then the answer: " + requests);
      requests.clear();
      RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
          () -> client.register("down-value", Schema.create(Schema.Type.STRING)));
      assertEquals(4, requests.size(), "one try and three retries: " + requests);
      assertTrue(e.getMessage().contains("gave up after 4 tries"), e.getMessage());
      assertTrue(e.getMessage().contains("lock table"), e.getMessage());
    } finally {
      stub.stop(0);
    }
  }

  /** A loopback port nobody listens on (bound, then released). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
