package io.streamdistill.serde.registry;

import io.streamdistill.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.Map;

/** Creates the registry client that a serde configuration asks for. */
public final class SchemaRegistryClients {
  private SchemaRegistryClients() {}

  /** A client for {@code schema.registry.url}: in-memory for mock://, REST otherwise. */
  public static SchemaRegistryClient create(AvroSerdeConfig config) {
    String first = config.schemaRegistryUrls().get(0);
    if (MockSchemaRegistry.isMockUrl(first)) {
      return MockSchemaRegistry.forScope(MockSchemaRegistry.scopeOf(first));
    }
    long ttlSeconds = config.getLong(AvroSerdeConfig.LATEST_CACHE_TTL_SEC_CONFIG);
    return new RestSchemaRegistryClient(
        new RestSchemaRegistryClient.Settings(
            config.schemaRegistryUrls(),
            Duration.ofMillis(config.getInt(AvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS_CONFIG)),
            Duration.ofMillis(config.getInt(AvroSerdeConfig.HTTP_READ_TIMEOUT_MS_CONFIG)),
            config.userInfo(),
            ttlSeconds < 0 ? Duration.ofSeconds(-1) : Duration.ofSeconds(ttlSeconds),
            config.getInt(AvroSerdeConfig.MAX_RETRIES_CONFIG),
            Duration.ofMillis(config.getInt(AvroSerdeConfig.RETRIES_WAIT_MS_CONFIG)),
            Duration.ofMillis(config.getInt(AvroSerdeConfig.RETRIES_MAX_WAIT_MS_CONFIG))));
  }

  /** A client from raw configs (the keys of {@link AvroSerdeConfig}). */
  public static SchemaRegistryClient create(Map<String, ?> configs) {
    return create(new AvroSerdeConfig(configs));
  }
}
