package io.streamdistill.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SampleRecords;
import io.streamdistill.serde.registry.RegistryUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
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

  /** A loopback port nobody listens on (bound, then released). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
