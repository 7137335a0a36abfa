package io.streamdistill.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stack command as people run it, in its own JVM. */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LocalStackCommandIT {
  private static final Pattern PIDS = Pattern.compile("broker pid (\\d+), registry pid (\\d+)");

  @Test
  void shouldLeaveNoProcessBehindWhenTheCommandIsKilled(@TempDir Path dir) throws Exception {
    Path connection = dir.resolve("conn.properties");
    Process command = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LocalStackCommand.class.getName(),
        "--connection-file", connection.toString(), "--partitions", "1",
        "--work-dir", dir.resolve("stack").toString())
        .redirectErrorStream(true).start();
    List<String> output = new ArrayList<>();
    Matcher pids = null;
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(command.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        output.add(line);
        Matcher m = PIDS.matcher(line);
        if (m.find()) {
          pids = m;
        }
        if (line.contains("Press Ctrl-C to stop.")) {
          break;
        }
      }
      assertNotNull(pids, "no pids printed:\n" + String.join("\n", output));
      long broker = Long.parseLong(pids.group(1));
      long registry = Long.parseLong(pids.group(2));
      Properties conn = new Properties();
      try (var in = Files.newBufferedReader(connection)) {
        conn.load(in);
      }
      assertTrue(conn.getProperty("bootstrap.servers").startsWith("127.0.0.1:"));
      assertTrue(conn.getProperty("schema.registry.url").endsWith("/apis/ccompat/v7"));
      assertTrue(isAlive(broker) && isAlive(registry));

      command.destroyForcibly(); // SIGKILL: no shutdown hook runs in the command
      command.waitFor(30, TimeUnit.SECONDS);

      // The children see their standard input close and exit on their own.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((isAlive(broker) || isAlive(registry)) && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertFalse(isAlive(broker), "broker outlived the killed command");
      assertFalse(isAlive(registry), "registry outlived the killed command");
    } finally {
      command.destroyForcibly();
    }
    assertEquals(false, command.isAlive());
  }

  private static boolean isAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
