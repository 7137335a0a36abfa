package io.streamdistill.stack;

import io.streamdistill.stack.child.Watchdog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JVM started by the local stack, with its output in a log file. Its standard input is a pipe
 * that only this object holds: closing it asks the child to stop ({@link Watchdog}), and the OS
 * closes it when this process dies, so no child outlives its parent.
 *
 * <p>Where {@code setsid} exists (Linux), the child runs in a session of its own: a Ctrl-C at the
 * terminal signals the terminal's foreground process group, and a broker in that group stopped at
 * the same moment as the demo that owns it left the demo's shutdown 60-100 s of Kafka timeouts
 * (a new user's trial, 2026-12-04). Out of the group, the children stop when their owner closes them,
 * in order, or when it dies (their standard input closes).
 *
 * <p>Not thread-safe; owned by the component that started it.
 */
final class ChildProcess implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(ChildProcess.class);

  /** {@code setsid(1)}, where the system has it; else null (the child stays in this process group). */
  private static final Path SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of)
      .filter(Files::isExecutable).findFirst().orElse(null);

  private final String name;
  private final Path logFile;
  private final Process process;
  private final OutputStream stdin;

  private ChildProcess(String name, Path logFile, Process process) {
    this.name = name;
    this.logFile = logFile;
    this.process = process;
    this.stdin = process.getOutputStream();
  }

  /** Starts {@code java JVM_OPTIONS -cp CLASSPATH MAIN ARGS}, output appended to {@code logFile}. */
  static ChildProcess startJava(String name, List<String> jvmOptions, String classpath, String mainClass,
      List<String> args, Path logFile) {
    List<String> command = new ArrayList<>();
    if (SETSID != null) {
      // Not a process group leader (the JVM's spawn helper is), so setsid(1) execs the JVM in place: the same pid.
      command.add(SETSID.toString());
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    try {
      Files.createDirectories(logFile.getParent());
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      Process process = builder.start();
      LOGGER.atDebug().addKeyValue("child", name).addKeyValue("pid", process.pid())
          .addKeyValue("log", logFile).log("child process started");
      return new ChildProcess(name, logFile, process);
    } catch (IOException e) {
      throw new LocalStackException("could not start the " + name + " process: " + e.getMessage(), e);
    }
  }

  String name() {
    return name;
  }

  /** The child's process id (the JVM's: setsid execs it in place). */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path logFile() {
    return logFile;
  }

  /** Fails with the end of the child's log when it has died. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new LocalStackException("the " + name + " process exited with code " + process.exitValue()
          + "; the end of its log (" + logFile + "):\n" + tail(40));
    }
  }

  /** The last lines of the child's log, for error messages. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** Whether the child runs in a session of its own, out of reach of a terminal's Ctrl-C to this process. */
  static boolean ownSessions() {
    return SETSID != null;
  }

  /** Asks the child to stop by closing its standard input; kills it (and what it started) if it does not. */
  void stop(Duration grace) {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // the child is gone already
    }
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOGGER.atWarn().addKeyValue("child", name).addKeyValue("pid", process.pid())
            .log("child did not stop in time: killing it");
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  /** SIGKILL, as a crash would: no shutdown hook runs. Waits until the process is gone. */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }
}
