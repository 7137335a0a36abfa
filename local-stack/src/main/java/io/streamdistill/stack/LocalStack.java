package io.streamdistill.stack;

import io.streamdistill.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole local infrastructure in one object: a real Kafka broker (KRaft) and a real
 * Confluent-compatible schema registry, each in a child JVM on loopback ports. Tests and the demo
 * use the same thing.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder().start()) {
 *   stack.createTopics(LocalStack.defaultTopics(3));
 *   Map<String, Object> clientConfig = stack.clientConfig(); // bootstrap.servers, schema.registry.url
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops both processes and deletes a work directory that the stack created
 * itself. Should this JVM die first, the children notice and exit on their own.
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(LocalStack.class);

  private final Path workDir;
  private final boolean ownsWorkDir;
  private final KafkaBroker broker;
  private final SchemaRegistryServer registry;
  private final Duration startupTimeout;
  /** Set when this stack is a broker and registry run elsewhere (containers): see {@link #attach}. */
  private final Attached attached;

  private record Attached(String bootstrapServers, String schemaRegistryUrl, AutoCloseable resources) {}

  private LocalStack(Builder builder, Path workDir, boolean ownsWorkDir) {
    this.workDir = workDir;
    this.ownsWorkDir = ownsWorkDir;
    this.startupTimeout = builder.startupTimeout;
    this.broker = new KafkaBroker(workDir, builder.brokerPort, builder.brokerHeap, builder.brokerConfig);
    this.registry = new SchemaRegistryServer(workDir, builder.registryPort, builder.registryHeap);
    this.attached = null;
  }

  private LocalStack(Attached attached) {
    this.workDir = null;
    this.ownsWorkDir = false;
    this.startupTimeout = null;
    this.broker = null;
    this.registry = null;
    this.attached = attached;
  }

  /**
   * A stack whose broker and registry run elsewhere, e.g. in Testcontainers' containers: the same
   * client settings and topic creation as a local one, so that tests run unchanged against either.
   * It has no local processes ({@link #broker()}, {@link #registry()}, {@link #workDir()} and
   * {@link #restartBroker()} refuse); {@link #close()} closes {@code resources}.
   */
  public static LocalStack attach(String bootstrapServers, String schemaRegistryUrl, AutoCloseable resources) {
    return new LocalStack(new Attached(bootstrapServers, schemaRegistryUrl, resources));
  }

  /** Whether the broker and registry are this stack's own child processes. */
  public boolean isLocal() {
    return attached == null;
  }

  private void requireLocal(String what) {
    if (attached != null) {
      throw new IllegalStateException(what + " needs the local stack's own processes; this stack is attached to "
          + attached.bootstrapServers());
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default topics of the system, each with {@code partitions} partitions, except student-models:
   * one partition, sized and kept for large versions ({@link Topics#studentModelTopicConfig()}).
   */
  public static List<NewTopic> defaultTopics(int partitions) {
    return Topics.ALL.stream()
        .map(name -> name.equals(Topics.STUDENT_MODELS)
            // One partition: versions of a model are ordered, and they are few and large.
            ? new NewTopic(name, 1, (short) 1).configs(Topics.studentModelTopicConfig())
            : new NewTopic(name, partitions, (short) 1))
        .toList();
  }

  /** host:port of the broker, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return attached != null ? attached.bootstrapServers() : broker.bootstrapServers();
  }

  /** The registry's Confluent-compatible URL, for {@code schema.registry.url}. */
  public String schemaRegistryUrl() {
    return attached != null ? attached.schemaRegistryUrl() : registry.url();
  }

  /** What every client of the stack needs: bootstrap.servers and schema.registry.url. */
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put("schema.registry.url", schemaRegistryUrl());
    return config;
  }

  public KafkaBroker broker() {
    requireLocal("broker()");
    return broker;
  }

  public SchemaRegistryServer registry() {
    requireLocal("registry()");
    return registry;
  }

  public Path workDir() {
    requireLocal("workDir()");
    return workDir;
  }

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  public void createTopics(Collection<NewTopic> topics) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new LocalStackException("could not create topic " + entry.getKey() + ": " + e.getCause(), e);
          }
        }
      }
      if (!missing.isEmpty()) {
        awaitLeaders(admin, missing);
        LOGGER.atInfo().addKeyValue("topics", missing.stream().map(NewTopic::name).collect(Collectors.joining(",")))
            .log("topics created");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new LocalStackException("could not create topics on " + bootstrapServers() + ": " + e, e);
    }
  }

  /**
   * Returns once every partition of the new topics answers at its leader. Until the broker has applied
   * a new partition, a produce request to it fails with NOT_LEADER_OR_FOLLOWER while a later one from
   * the same idempotent producer may succeed; the first is then refused as out of order on every retry
   * until the producer's metadata refresh, five minutes later (KAFKA-15591, a broker bug of Kafka
   * 4.1; seen in CI after a broker restart). A ListOffsets goes to the leader; while the admin
   * client's metadata does not know the topic yet it fails at once with UNKNOWN_TOPIC_OR_PARTITION (or
   * another retriable error) and is asked again, for 60 s at most.
   */
  private static void awaitLeaders(Admin admin, List<NewTopic> created)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    for (NewTopic topic : created) {
      for (int p = 0; p < topic.numPartitions(); p++) {
        partitions.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      long left = deadline - System.nanoTime();
      try {
        admin.listOffsets(partitions).all().get(Math.max(left, 1), TimeUnit.NANOSECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * Restarts the broker as an operator would: a controlled shutdown of its JVM, then a new JVM on the
   * same ports and the same log directory, so that topics, committed offsets and transaction state
   * survive and clients reconnect to the address they know. Returns once clients can use it again.
   * Clients see the broker go away for as long as the restart takes (seconds); the registry is not
   * touched. Not thread-safe with {@link #close()}.
   */
  public void restartBroker() {
    requireLocal("restartBroker()");
    long started = System.nanoTime();
    long oldPid = broker.pid();
    broker.stop();
    broker.start(startupTimeout);
    LOGGER.atInfo()
        .addKeyValue("bootstrapServers", bootstrapServers())
        .addKeyValue("oldPid", oldPid)
        .addKeyValue("newPid", broker.pid())
        .addKeyValue("restartMillis", (System.nanoTime() - started) / 1_000_000)
        .log("broker restarted");
  }

  private LocalStack startAll() {
    long started = System.nanoTime();
    try {
      // Both JVMs boot at once: the start-up is the slower of the two, not their sum.
      broker.launch();
      registry.launch();
      broker.awaitReady(startupTimeout);
      registry.awaitReady(startupTimeout);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    LOGGER.atInfo()
        .addKeyValue("bootstrapServers", bootstrapServers())
        .addKeyValue("schemaRegistryUrl", schemaRegistryUrl())
        .addKeyValue("startMillis", (System.nanoTime() - started) / 1_000_000)
        .log("local stack started");
    return this;
  }

  @Override
  public void close() {
    if (attached != null) {
      try {
        attached.resources().close();
      } catch (Exception e) {
        throw new LocalStackException("could not close the attached stack: " + e.getMessage(), e);
      }
      return;
    }
    // The registry first: it holds nothing the broker needs.
    registry.close();
    broker.close();
    if (ownsWorkDir) {
      deleteRecursively(workDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOGGER.atWarn().addKeyValue("dir", dir).log("could not delete the local stack's work directory: " + e);
    }
  }

  /** Options of the local stack; every one has a default that suits tests. */
  public static final class Builder {
    private Path workDir;
    private int brokerPort;
    private int registryPort;
    private String brokerHeap = "512m";
    private String registryHeap = "256m";
    private Duration startupTimeout = Duration.ofSeconds(90);
    private final Map<String, String> brokerConfig = new HashMap<>();

    private Builder() {}

    /**
     * Where the broker keeps its data and both processes their logs; default: a new temporary
     * directory, deleted on close.
     */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** Broker port; 0 (the default) picks a free one. */
    public Builder brokerPort(int port) {
      this.brokerPort = port;
      return this;
    }

    /** Registry port; 0 (the default) picks a free one. */
    public Builder registryPort(int port) {
      this.registryPort = port;
      return this;
    }

    /** A broker setting that overrides the stack's (e.g. message.max.bytes). */
    public Builder brokerConfig(String key, String value) {
      brokerConfig.put(key, value);
      return this;
    }

    public Builder brokerHeap(String heap) {
      this.brokerHeap = heap;
      return this;
    }

    public Builder registryHeap(String heap) {
      this.registryHeap = heap;
      return this;
    }

    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = timeout;
      return this;
    }

    /** Starts the broker and the registry and returns once both serve. */
    public LocalStack start() {
      boolean owns = workDir == null;
      Path dir;
      try {
        dir = owns ? Files.createTempDirectory("distill-stack-") : Files.createDirectories(workDir);
      } catch (IOException e) {
        throw new UncheckedIOException("could not create the local stack's work directory", e);
      }
      return new LocalStack(this, dir, owns).startAll();
    }
  }
}
