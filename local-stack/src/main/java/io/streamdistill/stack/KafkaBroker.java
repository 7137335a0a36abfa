package io.streamdistill.stack;

import io.streamdistill.stack.child.BrokerMain;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka cluster in KRaft mode (combined broker and controller) in a child JVM,
 * on loopback ports chosen at construction. It can be stopped and started again on the same ports
 * and data, as a restarted broker would be.
 *
 * <p>Not thread-safe; owned by {@link LocalStack}.
 */
public final class KafkaBroker implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private final String clusterId = Uuid.randomUuid().toString();
  private final String jvmHeap;
  private final Map<String, String> overrides;
  private ChildProcess process;

  KafkaBroker(Path workDir, int port, String jvmHeap, Map<String, String> overrides) {
    this.dataDir = workDir.resolve("kafka");
    this.port = port == 0 ? Ports.freePort() : port;
    this.controllerPort = Ports.freePort();
    this.jvmHeap = jvmHeap;
    this.overrides = Map.copyOf(overrides);
  }

  /** host:port for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Process id of the broker JVM, while it runs. */
  public long pid() {
    return process == null ? -1 : process.pid();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the broker JVM and waits until clients can use it. */
  public void start(Duration timeout) {
    launch();
    awaitReady(timeout);
  }

  /** Starts the broker JVM without waiting for it. */
  void launch() {
    if (isRunning()) {
      return;
    }
    Path config = writeConfig();
    process = ChildProcess.startJava("kafka broker",
        List.of("-Xmx" + jvmHeap, "-Xms64m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn",
            "-Dorg.slf4j.simpleLogger.log.kafka=warn",
            "-Dorg.slf4j.simpleLogger.log.state.change.logger=warn"),
        System.getProperty("java.class.path"), BrokerMain.class.getName(),
        List.of(config.toString(), clusterId), dataDir.resolve("broker.log"));
  }

  /** Stops the broker gracefully (controlled shutdown), keeping its data for a restart. */
  public void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(30));
      process = null;
    }
  }

  /** Kills the broker JVM with SIGKILL, as a crash would. */
  public void kill() {
    if (process != null) {
      process.kill();
      process = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private Path writeConfig() {
    Map<String, String> config = new TreeMap<>();
    config.put("process.roles", "broker,controller");
    config.put("node.id", "1");
    config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    config.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    config.put("controller.listener.names", "CONTROLLER");
    config.put("inter.broker.listener.name", "PLAINTEXT");
    config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    config.put("log.dirs", dataDir.resolve("logs").toString());
    // One node: every internal topic has one replica. Fewer partitions than the defaults (50)
    // make the first consumer group and the first transaction start in a second, not ten.
    config.put("offsets.topic.replication.factor", "1");
    config.put("offsets.topic.num.partitions", "5");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("transaction.state.log.num.partitions", "5");
    config.put("share.coordinator.state.topic.replication.factor", "1");
    config.put("share.coordinator.state.topic.min.isr", "1");
    config.put("group.initial.rebalance.delay.ms", "0");
    config.put("num.partitions", "1");
    // Topics are created on purpose (LocalStack#createTopics), as on a real cluster.
    config.put("auto.create.topics.enable", "false");
    config.put("num.network.threads", "2");
    config.put("num.io.threads", "2");
    config.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    config.putAll(overrides);
    Path file = dataDir.resolve("server.properties");
    try {
      Files.createDirectories(dataDir);
      Properties properties = new Properties();
      properties.putAll(config);
      try (Writer writer = Files.newBufferedWriter(file)) {
        properties.store(writer, "written by the local stack");
      }
      return file;
    } catch (IOException e) {
      throw new LocalStackException("could not write the broker's configuration to " + file, e);
    }
  }

  /** Waits until the broker answers clients; fails with its log if it dies or takes too long. */
  void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // Wait for the listener first: an admin client would log a warning per failed connection.
    while (!Ports.isListening(port)) {
      process.checkAlive();
      if (System.nanoTime() > deadline) {
        failStartup(timeout);
      }
      sleep(50);
    }
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
      while (true) {
        process.checkAlive();
        try {
          if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          // not up yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new LocalStackException("interrupted while waiting for the broker", e);
        }
        if (System.nanoTime() > deadline) {
          failStartup(timeout);
        }
      }
    }
  }

  private void failStartup(Duration timeout) {
    String log = process.tail(40);
    kill();
    throw new LocalStackException("the broker did not serve on " + bootstrapServers() + " within "
        + timeout.toSeconds() + " s; the end of its log:\n" + log);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("interrupted while waiting for the broker", e);
    }
  }
}
