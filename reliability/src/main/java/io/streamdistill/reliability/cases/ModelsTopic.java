package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.CampaignException;
import io.streamdistill.reliability.audit.TopicReader;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The edge cases' side of the models and deployments topics: versions (good or not) go out as raw
 * bytes, one at a time and acknowledged; what nodes reported comes back from the deployments topic.
 * Owns its producer.
 */
final class ModelsTopic implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, Object> clientConfig;
  private final CaseTopics topics;

  ModelsTopic(Map<String, Object> clientConfig, CaseTopics topics) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove("schema.registry.url");
    config.putAll(Topics.studentModelProducerConfig());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    this.clientConfig = clientConfig;
    this.topics = topics;
  }

  /** Sends a record keyed by the model name and waits for the broker's acknowledgement. */
  void send(String model, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topics.studentModels(), model, value)).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new CampaignException("could not send a version to " + topics.studentModels() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CampaignException("interrupted", e);
    }
  }

  /** The deployment events of one node, in order. */
  List<DeploymentEvent> deployments(String nodeId) {
    return TopicReader.readValues(clientConfig, topics.deployments(), DeploymentEvent.class).stream()
        .filter(e -> nodeId.equals(e.getNodeId())).toList();
  }

  @Override
  public void close() {
    producer.close();
  }
}
