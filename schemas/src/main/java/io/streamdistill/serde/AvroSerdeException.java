package io.streamdistill.serde;

import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record could not be serialized or deserialized. The message says which topic, which schema id
 * (when known) and what happened; the same facts are available as fields for code that routes the
 * record to a dead-letter topic.
 */
public class AvroSerdeException extends SerializationException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final int schemaId;

  public AvroSerdeException(String topic, int schemaId, String what, Throwable cause) {
    super(compose(topic, schemaId, what), cause);
    this.topic = topic;
    this.schemaId = schemaId;
  }

  private static String compose(String topic, int schemaId, String what) {
    return "topic '" + topic + "'" + (schemaId >= 0 ? ", schema id " + schemaId : "") + ": " + what;
  }

  /** The topic of the record. */
  public String topic() {
    return topic;
  }

  /**
   * Whether the registry could not be reached (or answered with a server error): the record itself
   * may be fine, so it must be retried later, never dead-lettered for this.
   */
  public boolean registryUnavailable() {
    return getCause() instanceof io.streamdistill.serde.registry.RegistryUnavailableException;
  }

  /** The schema id involved, when there was one. */
  public OptionalInt schemaId() {
    return schemaId >= 0 ? OptionalInt.of(schemaId) : OptionalInt.empty();
  }
}
