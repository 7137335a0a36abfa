package io.streamdistill.edge.versions;

import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.serde.AvroSerde;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes deployment events to the deployments topic, keyed by node id (so one node's events stay
 * in order). Owns its producer. Thread-safe (KafkaProducer is).
 */
public final class KafkaDeploymentPublisher implements DeploymentSink, AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(KafkaDeploymentPublisher.class);

  private final Producer<String, DeploymentEvent> producer;
  private final String topic;

  /** A publisher with its own producer, configured from the client settings (bootstrap, registry, security). */
  public KafkaDeploymentPublisher(Map<String, Object> clientConfig, String topic) {
    this(new KafkaProducer<>(producerConfig(clientConfig), new StringSerializer(),
        AvroSerde.forValues(DeploymentEvent.class, clientConfig).serializer()), topic);
  }

  /** A publisher on a given producer, which it then owns and closes. */
  public KafkaDeploymentPublisher(Producer<String, DeploymentEvent> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  static Map<String, Object> producerConfig(Map<String, Object> clientConfig) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    // Events are few and matter (an operator reads them to know what runs where): wait for all replicas.
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "edge-deployments");
    return config;
  }

  // The send's callback logs a failure: its future has nothing more to say.
  @Override
  @SuppressWarnings("FutureReturnValueIgnored")
  public void publish(DeploymentEvent event) {
    try {
      producer.send(new ProducerRecord<>(topic, event.getNodeId(), event), (metadata, e) -> {
        if (e != null) {
          LOGGER.atWarn().setCause(e).addKeyValue("topic", topic).addKeyValue("status", event.getStatus())
              .addKeyValue("modelVersion", event.getVersion()).log("deployment event not delivered");
        }
      });
    } catch (RuntimeException e) {
      // Reporting must never stop the node from serving or loading.
      LOGGER.atWarn().setCause(e).addKeyValue("topic", topic).addKeyValue("status", event.getStatus())
          .addKeyValue("modelVersion", event.getVersion()).log("deployment event not sent");
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
