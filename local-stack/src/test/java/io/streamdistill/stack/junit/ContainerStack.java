package io.streamdistill.stack.junit;

import io.streamdistill.stack.LocalStack;
import java.time.Duration;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The integration tests' stack on real images, where a Docker engine runs: Apache Kafka in KRaft
 * mode ({@value #KAFKA_IMAGE}) and Confluent Schema Registry ({@value #REGISTRY_IMAGE}) on one
 * network, as the compose file runs them, attached as a {@link LocalStack} so the tests' bodies do
 * not change. Only this class touches Testcontainers: {@link LocalStackExtension} loads it after
 * checking that Testcontainers is on the class path.
 */
final class ContainerStack {
  static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
  static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:8.0.0";

  private ContainerStack() {}

  /** Whether Testcontainers finds a Docker engine (it answers quickly when there is none). */
  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource") // closed by the attached stack's close()
  static LocalStack start() {
    Network network = Network.newNetwork();
    KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
        .withNetwork(network)
        .withListener("kafka:19092")
        // What the local broker is configured with too: one node, transactions, versions up to 64 MB.
        .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1");
    GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
        .withNetwork(network)
        .withExposedPorts(8081)
        .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
        .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
        .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
        .dependsOn(kafka)
        .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
    try {
      kafka.start();
      registry.start();
    } catch (RuntimeException e) {
      registry.stop();
      kafka.stop();
      network.close();
      throw e;
    }
    String registryUrl = "http://" + registry.getHost() + ":" + registry.getMappedPort(8081);
    return LocalStack.attach(kafka.getBootstrapServers(), registryUrl, () -> {
      registry.stop();
      kafka.stop();
      network.close();
    });
  }
}
