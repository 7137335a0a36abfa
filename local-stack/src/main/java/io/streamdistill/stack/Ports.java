package io.streamdistill.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for the local stack. */
final class Ports {
  private Ports() {}

  /** Where the kernel's ephemeral range starts when it cannot be read (Linux's default). */
  private static final int EPHEMERAL_LOW = 32_768;
  private static final int LOWEST = 10_000;

  /**
   * A port that was free a moment ago, below the kernel's ephemeral range: the ports the kernel hands
   * out to outgoing connections never take it before the child binds it (a CI run lost its broker when
   * the reliability campaign's edge load, in the module built beside it, had taken the controller port
   * of a stack between the choice and the bind). Another process binding ports of its own may still take
   * it; the stack then fails with the child's log, which names the port.
   */
  static int freePort() {
    int high = ephemeralLow();
    for (int attempt = 0; attempt < 200 && high > LOWEST; attempt++) {
      int port = LOWEST + ThreadLocalRandom.current().nextInt(high - LOWEST);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // in use: another
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** The first port of the kernel's ephemeral range ({@code ip_local_port_range}). */
  private static int ephemeralLow() {
    try {
      // readAllLines, not readString: on procfs (size 0) readString returned the first byte only.
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      return Integer.parseInt(range.split("\\s+", -1)[0]);
    } catch (IOException | RuntimeException e) {
      return EPHEMERAL_LOW;
    }
  }

  /** Whether something accepts connections on the loopback port. */
  static boolean isListening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
