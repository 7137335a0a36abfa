package io.streamdistill.stack.child;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * The broker JVM of the local stack: formats the KRaft log directory on first start (the same
 * directory is reused on a restart), then runs a combined broker and controller until its parent
 * goes away or it is told to stop.
 *
 * <p>Usage: {@code BrokerMain SERVER_PROPERTIES CLUSTER_ID}
 */
public final class BrokerMain {
  /** Printed to standard output once the broker serves; the parent waits for clients to connect anyway. */
  public static final String STARTED = "local-stack broker started";

  private BrokerMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: BrokerMain SERVER_PROPERTIES CLUSTER_ID");
      System.exit(2);
    }
    Watchdog.start();
    Path propertiesFile = Path.of(args[0]);
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(propertiesFile)) {
      properties.load(reader);
    }
    // --ignore-formatted: a restarted broker keeps its data, as a real one would.
    int formatted = StorageTool.execute(
        new String[] {"format", "--cluster-id", args[1], "--config", propertiesFile.toString(), "--ignore-formatted"},
        System.out);
    if (formatted != 0) {
      System.err.println("formatting the log directory failed with exit code " + formatted);
      System.exit(1);
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      server.awaitShutdown();
    }, "broker-shutdown"));
    server.startup();
    System.out.println(STARTED);
    server.awaitShutdown();
  }
}
