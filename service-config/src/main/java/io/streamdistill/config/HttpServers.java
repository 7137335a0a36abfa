package io.streamdistill.config;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The one way the services make their HTTP servers (the teacher's, the edge's, the trainer's metrics). */
public final class HttpServers {
  private HttpServers() {}

  /**
   * An unstarted JDK HttpServer on {@code port} (0: any free one) with TCP_NODELAY. The JDK's server
   * leaves Nagle's algorithm on by default, and on loopback here a kept-alive connection then stalled
   * for good on its first response (measured: 0 of 20,000 requests through; with TCP_NODELAY all of
   * them, at about 0.5 ms each). The setting is read once, when the first server of the JVM is made.
   */
  public static HttpServer create(int port, int backlog) throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    return HttpServer.create(new InetSocketAddress(port), backlog);
  }
}
