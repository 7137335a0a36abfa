package io.streamdistill.reliability.process;

import io.streamdistill.reliability.CampaignException;
import io.streamdistill.stack.child.WatchedMain;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service under test in a JVM of its own, started through its real command line (the picocli main
 * people run) with this JVM's class path, its output in a log file.
 *
 * <p>It runs under the local stack's {@link WatchedMain}: the child's standard input is a pipe only
 * this object holds, and the child exits when it closes, so that no service outlives a campaign that
 * was itself killed. {@link #kill()} is SIGKILL (no shutdown hook, no flush: a crash); {@link #stop}
 * closes the pipe, which runs the service's own shutdown hook (a clean stop).
 *
 * <p>Not thread-safe; owned by the case that started it.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(ServiceProcess.class);

  private final String name;
  private final Path log;
  private final Process process;
  private final OutputStream stdin;
  private final long startedNanos = System.nanoTime();

  private ServiceProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
    this.stdin = process.getOutputStream();
  }

  /**
   * Starts {@code java JVM_OPTIONS -cp THIS_CLASS_PATH WatchedMain MAIN ARGS}, output to {@code log}.
   */
  public static ServiceProcess start(String name, List<String> jvmOptions, String mainClass, List<String> args,
      Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(WatchedMain.class.getName());
    command.add(mainClass);
    command.addAll(args);
    try {
      Files.createDirectories(log.getParent());
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
      LOGGER.atDebug().addKeyValue("service", name).addKeyValue("pid", process.pid()).addKeyValue("log", log)
          .log("service process started");
      return new ServiceProcess(name, log, process);
    } catch (IOException e) {
      throw new CampaignException("could not start " + name + ": " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Milliseconds since this process was started. */
  public long ageMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /** Whether the log has a line containing {@code text}. */
  public boolean logContains(String text) {
    return readLog().contains(text);
  }

  /** The first log line containing {@code text}, or null. */
  public String logLine(String text) {
    return readLog().lines().filter(line -> line.contains(text)).findFirst().orElse(null);
  }

  /** Waits until the log has a line containing {@code text}; fails at once, with the log's end, if the process dies. */
  public void awaitLog(String text, Duration timeout) {
    Await.until("'" + text + "' in the log of " + name, timeout, () -> {
      if (logContains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        throw new CampaignException(name + " exited with code " + process.exitValue() + " before logging '" + text
            + "'; its log (" + log + ") ends with:\n" + tail(30));
      }
      return false;
    }, () -> "the log of " + name + " ends with:\n" + tail(20));
  }

  /** The last lines of the log, for messages. */
  public String tail(int lines) {
    List<String> all = readLog().lines().toList();
    StringBuilder tail = new StringBuilder();
    for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
      tail.append(line).append('\n');
    }
    return tail.toString();
  }

  /** SIGKILL, as a crash: no shutdown hook runs, nothing is flushed. Returns once the process is gone. */
  public void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** A clean stop (the service's shutdown hook runs); SIGKILL if it takes longer than {@code grace}. */
  public void stop(Duration grace) {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the process is gone already
    }
    if (!awaitExit(grace)) {
      LOGGER.atWarn().addKeyValue("service", name).addKeyValue("pid", pid()).log("did not stop in time; killing it");
      kill();
    }
  }

  /**
   * A clean stop of a service whose JVM may linger after it has stopped: once its log says
   * {@code stoppedLine} (its clients are closed, its work committed or aborted) it gets a moment to exit,
   * then SIGKILL. SIGKILL after {@code grace} if the line never comes.
   *
   * <p>Why: the trainer's command joins its main thread from its shutdown hook while that thread calls
   * System.exit, which blocks during a shutdown; its JVM then waits for the hook's timeout (or the
   * watchdog's halt, 20 s) after everything is already closed.
   */
  public void stop(Duration grace, String stoppedLine) {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the process is gone already
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (process.isAlive() && !logContains(stoppedLine) && System.nanoTime() < deadline) {
      awaitExit(Duration.ofMillis(100));
    }
    if (!awaitExit(Duration.ofSeconds(2))) {
      LOGGER.atInfo().addKeyValue("service", name).addKeyValue("pid", pid())
          .addKeyValue("stopped", logContains(stoppedLine)).log("did not exit after stopping; killing it");
      kill();
    }
  }

  /** Waits for the process to exit; whether it did. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CampaignException("interrupted while waiting for " + name, e);
    }
  }

  /** The exit code; only once the process has exited. */
  public int exitCode() {
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(30));
    }
  }

  private String readLog() {
    try {
      // Decoded leniently: a log cut off by SIGKILL may end in half a character.
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
