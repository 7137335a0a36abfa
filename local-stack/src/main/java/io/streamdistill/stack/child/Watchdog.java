package io.streamdistill.stack.child;

import java.io.IOException;
import java.io.InputStream;

/**
 * Ends a child JVM of the local stack when its parent goes away. The parent holds the write end of
 * the child's standard input; the OS closes it when the parent exits, even on SIGKILL, so end of
 * input here means "nobody owns this process any more". Without this, a killed test JVM would leave
 * a broker and a registry running.
 */
public final class Watchdog {
  /** After a graceful exit was asked for, how long before the process is halted. */
  private static final long HALT_AFTER_MILLIS = 20_000;

  private Watchdog() {}

  /** Starts the daemon thread that exits the JVM (running shutdown hooks) at end of standard input. */
  public static void start() {
    Thread thread = new Thread(Watchdog::watch, "parent-watchdog");
    thread.setDaemon(true);
    thread.start();
  }

  private static void watch() {
    try (InputStream in = System.in) {
      byte[] buffer = new byte[256];
      while (in.read(buffer) >= 0) {
        // the parent never writes; anything it does write is ignored
      }
    } catch (IOException e) {
      // a broken pipe means the same as end of input
    }
    Thread halter = new Thread(() -> {
      try {
        Thread.sleep(HALT_AFTER_MILLIS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watchdog-halter");
    halter.setDaemon(true);
    halter.start();
    System.err.println("[watchdog] parent closed standard input: shutting down");
    System.exit(0);
  }
}
