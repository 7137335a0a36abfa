package io.streamdistill.stack;

import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.Schema;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./distill stack}: starts the local stack for people, sets up the system's topics and
 * schemas, prints where things listen and runs until Ctrl-C.
 */
@Command(
    name = "stack",
    mixinStandardHelpOptions = true,
    usageHelpWidth = 120, // the width of every command's help (Commands.HELP_WIDTH, a module this one is below)
    version = "stream-distill local stack 0.1.0",
    description = {
      "Starts a real Kafka broker (KRaft, single node) and a real Confluent-compatible schema registry",
      "(Apicurio Registry in ccompat mode, BACKWARD compatibility) as child processes on loopback,",
      "creates the distill.* topics, registers their value schemas, prints the connection settings",
      "and runs until Ctrl-C. Nothing is left running afterwards.",
      ""
    },
    footer = {
      "",
      "Exit codes: 0 stopped cleanly, 1 the stack failed, 2 bad arguments.",
      "Example: ./distill stack --partitions 3 --connection-file local-stack.properties"
    })
public final class LocalStackCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Keep broker data and process logs here (kept on exit)."
          + " Default: a temporary directory, deleted on exit.")
  private Path workDir;

  @Option(names = "--broker-port", paramLabel = "PORT", defaultValue = "0",
      description = "Kafka listener port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  private int brokerPort;

  @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "0",
      description = "Schema registry port on 127.0.0.1; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  private int registryPort;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
      description = "Partitions of each distill.* topic (the teacher service scales up to this many instances)."
          + " Default: ${DEFAULT-VALUE}.")
  private int partitions;

  @Option(names = "--no-topics", negatable = false,
      description = "Do not create the distill.* topics nor register their schemas.")
  private boolean noTopics;

  @Option(names = "--connection-file", paramLabel = "FILE", defaultValue = "local-stack.properties",
      description = "Where to write bootstrap.servers and schema.registry.url for the other commands (removed on exit)."
          + " Default: ${DEFAULT-VALUE}.")
  private Path connectionFile;

  @Option(names = "--once", negatable = false,
      description = "Start, set up, print, then stop at once (a smoke test of the stack).")
  private boolean once;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LocalStackCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (partitions < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--partitions must be at least 1, not " + partitions);
    }
    PrintWriter out = spec.commandLine().getOut();
    LocalStack.Builder builder = LocalStack.builder().brokerPort(brokerPort).registryPort(registryPort);
    if (workDir != null) {
      builder.workDir(workDir);
    }
    out.println("Starting the local stack (Kafka broker, schema registry)...");
    out.flush();
    long started = System.nanoTime();
    LocalStack stack = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    // Stops the stack: from the shutdown hook on Ctrl-C, or here (hook removed) after --once or a failure.
    Runnable stop = () -> {
      try {
        stack.close();
        deleteQuietly(connectionFile);
      } finally {
        stopped.countDown();
      }
    };
    Thread shutdown = new Thread(stop, "local-stack-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    try {
      if (!noTopics) {
        stack.createTopics(LocalStack.defaultTopics(partitions));
        registerValueSchemas(stack.schemaRegistryUrl());
      }
      writeConnectionFile(stack);
      long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      out.printf("Local stack up in %.1f s:%n", millis / 1000.0);
      out.printf("  bootstrap.servers   = %s%n", stack.bootstrapServers());
      out.printf("  schema.registry.url = %s%n", stack.schemaRegistryUrl());
      out.printf("  topics              = %s%n", noTopics ? "(none created)" : String.join(", ", Topics.ALL)
          + " (" + partitions + " partitions each; student-models 1)");
      out.printf("  logs                = %s, %s%n", stack.workDir().resolve("kafka/broker.log"),
          stack.workDir().resolve("registry/registry.log"));
      out.printf("  connection file     = %s%n", connectionFile.toAbsolutePath());
      out.printf("  processes           = broker pid %d, registry pid %d%n", stack.broker().pid(),
          stack.registry().pid());
      out.println(once ? "Stopping (--once)." : "Press Ctrl-C to stop.");
      out.flush();
    } catch (RuntimeException e) {
      Runtime.getRuntime().removeShutdownHook(shutdown);
      stop.run();
      throw e;
    }
    if (once) {
      Runtime.getRuntime().removeShutdownHook(shutdown);
      stop.run();
      out.println("Local stack stopped.");
      return 0;
    }
    stopped.await();
    return 0;
  }

  /** Registers each topic's value schema, so that consumers and tools see the contracts at once. */
  private static void registerValueSchemas(String registryUrl) {
    Map<String, Schema> schemas = Map.of(
        Topics.INPUT_EVENTS, InputEvent.getClassSchema(),
        Topics.SOFT_LABELS, SoftLabel.getClassSchema(),
        Topics.STUDENT_MODELS, StudentModelVersion.getClassSchema(),
        Topics.DEPLOYMENTS, DeploymentEvent.getClassSchema(),
        Topics.DEAD_LETTERS, DeadLetter.getClassSchema());
    RestSchemaRegistryClient registry = new RestSchemaRegistryClient(RestSchemaRegistryClient.Settings.of(registryUrl));
    schemas.forEach((topic, schema) -> registry.register(Topics.valueSubject(topic), schema));
  }

  private void writeConnectionFile(LocalStack stack) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("bootstrap.servers", stack.bootstrapServers());
    properties.setProperty("schema.registry.url", stack.schemaRegistryUrl());
    Path parent = connectionFile.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    try (Writer writer = Files.newBufferedWriter(connectionFile)) {
      properties.store(writer, "local stack; valid while `./distill stack` runs");
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort on the way out
    }
  }
}
