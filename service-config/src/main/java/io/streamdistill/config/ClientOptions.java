package io.streamdistill.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The Kafka and schema-registry options every service command shares (a picocli mixin):
 *
 * <pre>{@code
 * @Mixin ClientOptions client;
 * Map<String, Object> config = client.clientConfig(); // bootstrap.servers, schema.registry.url, -X ...
 * }</pre>
 *
 * <p>Settings are layered, later wins: the properties file ({@code --config}, or {@code
 * local-stack.properties} in the working directory when it exists, as {@code ./distill stack}
 * writes it), then {@code --bootstrap-servers} and {@code --schema-registry-url}, then each {@code
 * -X key=value}. Any Kafka client or serde property passes through unchanged, so SASL and TLS need
 * no special options: {@code -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN ...}.
 */
public final class ClientOptions {
  /** Written by {@code ./distill stack}; read when no --config is given. */
  public static final String LOCAL_STACK_FILE = "local-stack.properties";

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file with client settings (bootstrap.servers, schema.registry.url, security...)."
          + " Default: ./" + LOCAL_STACK_FILE + " if it exists (written by ./distill stack).")
  Path configFile;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
      description = "Kafka bootstrap servers (overrides the file).")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", paramLabel = "URL",
      description = "Confluent-compatible schema registry URL, e.g. http://registry:8081 (overrides the file).")
  String schemaRegistryUrl;

  @Option(names = {"-X", "--property"}, paramLabel = "KEY=VALUE", mapFallbackValue = "",
      description = "Any Kafka client or serde property, passed through (repeatable), e.g."
          + " -X security.protocol=SASL_SSL -X compression.type=lz4.")
  Map<String, String> properties = new LinkedHashMap<>();

  /**
   * The merged settings.
   *
   * @throws ConfigurationException naming the missing or unreadable setting
   */
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    Path file = configFile;
    if (file == null && Files.isRegularFile(Path.of(LOCAL_STACK_FILE))) {
      file = Path.of(LOCAL_STACK_FILE);
    }
    if (file != null) {
      config.putAll(load(file));
    }
    if (bootstrapServers != null) {
      config.put("bootstrap.servers", bootstrapServers);
    }
    if (schemaRegistryUrl != null) {
      config.put("schema.registry.url", schemaRegistryUrl);
    }
    config.putAll(properties);
    require(config, "bootstrap.servers", "--bootstrap-servers");
    require(config, "schema.registry.url", "--schema-registry-url");
    return config;
  }

  private static void require(Map<String, Object> config, String key, String option) {
    Object value = config.get(key);
    if (value == null || value.toString().isBlank()) {
      throw new ConfigurationException("no " + key + ": give " + option + ", a --config file that sets it, or"
          + " start the local stack first (./distill stack writes ./" + LOCAL_STACK_FILE + ")");
    }
  }

  private static Map<String, String> load(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigurationException("cannot read --config " + file + ": " + e.getMessage());
    }
    Map<String, String> map = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name).trim()));
    return map;
  }

  /** Secrets never go to logs: the config with password-like values masked, for start-up lines. */
  public static Map<String, Object> masked(Map<String, Object> config) {
    Map<String, Object> masked = new LinkedHashMap<>();
    config.forEach((key, value) -> masked.put(key, isSecret(key) ? "[hidden]" : value));
    return masked;
  }

  static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.endsWith("user.info")
        || k.contains("token") || k.endsWith(".key");
  }
}
