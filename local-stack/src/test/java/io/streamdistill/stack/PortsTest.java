package io.streamdistill.stack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void shouldChooseABindablePortBelowTheKernelsEphemeralRange() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    int low = Files.isReadable(range)
        ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+", -1)[0]) : 32_768;
    for (int i = 0; i < 20; i++) {
      int port = Ports.freePort();
      assertTrue(port >= 10_000 && port < low, "port " + port + " below the ephemeral range from " + low);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertTrue(socket.isBound(), "bindable: " + port);
      }
    }
  }
}
