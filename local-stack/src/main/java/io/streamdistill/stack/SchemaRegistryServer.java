package io.streamdistill.stack;

import io.streamdistill.serde.registry.CompatibilityLevel;
import io.streamdistill.serde.registry.RegistryUnavailableException;
import io.streamdistill.serde.registry.RestSchemaRegistryClient;
import io.streamdistill.stack.child.WatchedMain;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * A real Confluent-compatible schema registry (Apicurio Registry 2.4.2.Final, built by the module
 * {@code registry-server}) in a child JVM, serving Confluent's REST API at {@code
 * /apis/ccompat/v7}, with in-memory storage and BACKWARD compatibility as the global default (as
 * Confluent's registry has; Apicurio's own default is NONE).
 */
public final class SchemaRegistryServer implements AutoCloseable {
  /** System property naming the registry's runner jar, when it is not in the source tree. */
  public static final String RUNNER_PROPERTY = "distill.registry.runner";

  private final Path workDir;
  private final int port;
  private final String jvmHeap;
  private ChildProcess process;

  SchemaRegistryServer(Path workDir, int port, String jvmHeap) {
    this.workDir = workDir.resolve("registry");
    this.port = port == 0 ? Ports.freePort() : port;
    this.jvmHeap = jvmHeap;
  }

  /** The URL to give as {@code schema.registry.url}. */
  public String url() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process == null ? -1 : process.pid();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the registry and waits until it answers, then sets the global compatibility to BACKWARD. */
  public void start(Duration timeout) {
    launch();
    awaitReady(timeout);
  }

  /** Starts the registry JVM without waiting for it. */
  void launch() {
    if (isRunning()) {
      return;
    }
    Path runner = findRunnerJar();
    String classpath = ownCodeLocation() + File.pathSeparator + runner;
    process = ChildProcess.startJava("schema registry",
        List.of("-Xmx" + jvmHeap, "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
            "-Dquarkus.banner.enabled=false", "-Dquarkus.log.level=WARN",
            // Confluent's default, also for subjects created later.
            "-Dregistry.rules.global.compatibility=BACKWARD"),
        classpath, WatchedMain.class.getName(), List.of(mainClassOf(runner)),
        workDir.resolve("registry.log"));
  }

  public void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(20));
      process = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Waits until the registry answers, then makes BACKWARD the global compatibility level. */
  void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RestSchemaRegistryClient client = new RestSchemaRegistryClient(new RestSchemaRegistryClient.Settings(
        List.of(url()), Duration.ofSeconds(1), Duration.ofSeconds(2), null, Duration.ZERO, 0, Duration.ZERO,
        Duration.ZERO));
    while (true) {
      process.checkAlive();
      try {
        client.subjects();
        client.setCompatibility(null, CompatibilityLevel.BACKWARD);
        return;
      } catch (RegistryUnavailableException e) {
        if (System.nanoTime() > deadline) {
          String log = process.tail(40);
          stop();
          throw new LocalStackException("the schema registry did not answer at " + url() + " within "
              + timeout.toSeconds() + " s; the end of its log:\n" + log, e);
        }
        sleep(100);
      }
    }
  }

  /**
   * The runner jar: from {@value #RUNNER_PROPERTY}, else {@code registry-server/target/} of the
   * source tree this code runs from (found upwards from the working directory).
   */
  static Path findRunnerJar() {
    String configured = System.getProperty(RUNNER_PROPERTY);
    if (configured != null) {
      Path path = Path.of(configured);
      if (!Files.isRegularFile(path)) {
        throw new LocalStackException(RUNNER_PROPERTY + "=" + configured + " is not a file");
      }
      return path;
    }
    List<Path> looked = new ArrayList<>();
    List<Path> starts = new ArrayList<>();
    String root = System.getProperty("distill.repo.root");
    if (root != null) {
      starts.add(Path.of(root));
    }
    starts.add(Path.of("").toAbsolutePath());
    for (Path start : starts) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        Path target = dir.resolve("registry-server").resolve("target");
        looked.add(target);
        if (Files.isDirectory(target)) {
          try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "registry-server-*-runner.jar")) {
            for (Path jar : jars) {
              return jar;
            }
          } catch (IOException e) {
            throw new LocalStackException("could not list " + target, e);
          }
        }
      }
    }
    throw new LocalStackException("the schema registry is not built: no registry-server-*-runner.jar in "
        + looked + ". Build it with `mvn -pl registry-server package` from the repository root, or set -D"
        + RUNNER_PROPERTY + "=PATH");
  }

  private static String mainClassOf(Path runner) {
    try (JarFile jar = new JarFile(runner.toFile())) {
      String main = jar.getManifest().getMainAttributes().getValue("Main-Class");
      if (main == null) {
        throw new LocalStackException(runner + " names no Main-Class");
      }
      return main;
    } catch (IOException e) {
      throw new LocalStackException("could not read " + runner, e);
    }
  }

  /** Where this module's classes are (a jar or a classes directory): the child needs WatchedMain. */
  private static String ownCodeLocation() {
    try {
      return Path.of(WatchedMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new LocalStackException("cannot locate the local-stack classes", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("interrupted while waiting for the schema registry", e);
    }
  }
}
