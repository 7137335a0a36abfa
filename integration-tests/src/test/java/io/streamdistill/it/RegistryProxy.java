package io.streamdistill.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder in front of the schema registry that can cut it off and restore it, on the same
 * port: the registry unreachable (a network partition, a registry being redeployed) while it keeps
 * its schemas. While down nothing listens, so a client's connection is refused.
 */
final class RegistryProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;

  RegistryProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      this.port = probe.getLocalPort();
    }
  }

  /** The registry's URL through this proxy, for {@code schema.registry.url}. */
  String url(String registryUrl) {
    return registryUrl.replace(":" + targetPort, ":" + port);
  }

  synchronized void up() throws IOException {
    if (server != null) {
      return;
    }
    ServerSocket listening = new ServerSocket();
    listening.setReuseAddress(true);
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    server = listening;
    Thread accepting = new Thread(() -> accept(listening), "registry-proxy-accept");
    accepting.setDaemon(true);
    accepting.start();
  }

  /** Stops listening and drops every open connection. */
  synchronized void down() throws IOException {
    ServerSocket listening = server;
    server = null;
    if (listening != null) {
      listening.close();
    }
    for (Socket socket : open) {
      socket.close();
    }
    open.clear();
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      try {
        Socket client = listening.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        // Closed by down(), or one connection failed: the client sees its connection fail.
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread copying = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // The other side closed.
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // Already closed.
        }
        open.remove(from);
        open.remove(to);
      }
    }, "registry-proxy-pump");
    copying.setDaemon(true);
    copying.start();
  }

  @Override
  public void close() throws IOException {
    down();
  }
}
