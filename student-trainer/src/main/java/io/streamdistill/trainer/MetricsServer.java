package io.streamdistill.trainer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import java.io.IOException;

/** {@code GET /metrics} in Prometheus' text format, on one request thread. */
final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  MetricsServer(int port, PrometheusMeterRegistry registry) throws IOException {
    server = HttpServer.builder("trainer-metrics").port(port).threads(1).maxBodyBytes(0)
        .route("/metrics", request -> HttpResponse.prometheus(registry.scrape()))
        .start();
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
