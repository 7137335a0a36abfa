package io.streamdistill.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdistill.stack.child.WatchedMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {
  /** What the child runs under the watchdog: waits (a broker would serve) until stopped. */
  public static final class Waiting {
    private Waiting() {}

    public static void main(String[] args) throws InterruptedException {
      System.out.println("waiting");
      Thread.sleep(120_000);
    }
  }

  @Test
  void shouldRunTheChildInItsOwnSessionOutOfReachOfATerminalsCtrlC(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/self/stat")) && ChildProcess.ownSessions(), "Linux with setsid");
    ChildProcess child = ChildProcess.startJava("waiting", List.of("-Xmx32m"), System.getProperty("java.class.path"),
        WatchedMain.class.getName(), List.of(Waiting.class.getName()), dir.resolve("child.log"));
    try {
      Path log = dir.resolve("child.log");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!(Files.exists(log) && Files.readString(log).contains("waiting")) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(Files.readString(log).contains("waiting"), "the child's main ran: " + Files.readString(log));
      long pid = child.pid();
      // The pid is the JVM's (setsid execed it in place), and its session and process group are its own.
      String[] stat = stat(pid);
      assertTrue(String.join(" ", stat).contains("java"), "the child's pid is a JVM: " + String.join(" ", stat));
      assertEquals(Long.toString(pid), stat[5], "session id");
      assertEquals(Long.toString(pid), stat[4], "process group id");
      assertNotEquals(stat(ProcessHandle.current().pid())[5], stat[5], "a session apart from this process's");
    } finally {
      child.stop(Duration.ofSeconds(20));
    }
    // Closing its standard input still stops it (the watchdog), with no kill needed.
    assertFalse(ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false), "stopped");
  }

  /** /proc/PID/stat's fields after the command name: [state, ppid, pgrp, session, ...] at 2.. (0: pid, 1: name). */
  private static String[] stat(long pid) throws IOException {
    String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat")).trim();
    int close = line.lastIndexOf(')');
    String[] rest = line.substring(close + 2).split(" ", -1);
    String[] fields = new String[rest.length + 2];
    fields[0] = line.substring(0, line.indexOf(' '));
    fields[1] = line.substring(line.indexOf('(') + 1, close);
    System.arraycopy(rest, 0, fields, 2, rest.length);
    return fields;
  }
}
