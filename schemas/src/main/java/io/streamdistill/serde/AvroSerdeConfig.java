package io.streamdistill.serde;

import io.streamdistill.serde.registry.MockSchemaRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the Avro serdes, with the keys Confluent's serdes use, so that existing client
 * configurations work unchanged.
 */
public final class AvroSerdeConfig extends AbstractConfig {

  public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
  public static final String SCHEMA_REGISTRY_URL_DOC =
      "Comma-separated URLs of the schema registry (Confluent REST API), e.g. http://localhost:8081 or, for"
          + " Apicurio, http://localhost:8080/apis/ccompat/v7. Each request tries them in order. A mock://SCOPE"
          + " URL selects an in-memory registry shared by all serdes of the same scope (unit tests only).";

  public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
  public static final String AUTO_REGISTER_SCHEMAS_DOC =
      "Whether the serializer registers the record's schema under <topic>-value when it is not registered yet."
          + " Turn off in production when schemas are registered by a deployment step; the serializer then only"
          + " looks the schema up and fails if it is missing.";

  public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
  public static final String USE_LATEST_VERSION_DOC =
      "Whether the serializer writes with the latest schema registered under the subject instead of the record's"
          + " own schema (the record is converted by Avro's schema resolution). Only when auto.register.schemas is"
          + " false.";

  public static final String LATEST_COMPATIBILITY_STRICT_CONFIG = "latest.compatibility.strict";
  public static final String LATEST_COMPATIBILITY_STRICT_DOC =
      "With use.latest.version: refuse to write when the latest schema cannot read the record's schema.";

  public static final String LATEST_CACHE_TTL_SEC_CONFIG = "latest.cache.ttl.sec";
  public static final String LATEST_CACHE_TTL_SEC_DOC =
      "How long the latest version of a subject is cached, in seconds; -1 caches it for the life of the serde.";

  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC =
      "Where HTTP basic-auth credentials for the registry come from: USER_INFO (basic.auth.user.info), URL (the"
          + " user:password@ part of the URL), or empty for none.";

  public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
  public static final String BASIC_AUTH_USER_INFO_DOC = "user:password for the registry, with USER_INFO.";

  public static final String HTTP_CONNECT_TIMEOUT_MS_CONFIG = "http.connect.timeout.ms";
  public static final String HTTP_CONNECT_TIMEOUT_MS_DOC = "Time allowed to connect to a registry URL.";

  public static final String HTTP_READ_TIMEOUT_MS_CONFIG = "http.read.timeout.ms";
  public static final String HTTP_READ_TIMEOUT_MS_DOC = "Time allowed for one registry request to be answered.";

  public static final String MAX_RETRIES_CONFIG = "max.retries";
  public static final String MAX_RETRIES_DOC =
      "How many times a registry request is tried again when no registry answers (an I/O error or a 5xx"
          + " answer), as Confluent's client. 4xx answers are never retried.";

  public static final String RETRIES_WAIT_MS_CONFIG = "retries.wait.ms";
  public static final String RETRIES_WAIT_MS_DOC = "The wait before the first retry; it doubles with each retry.";

  public static final String RETRIES_MAX_WAIT_MS_CONFIG = "retries.max.wait.ms";
  public static final String RETRIES_MAX_WAIT_MS_DOC = "The longest wait between two retries.";

  public static final String SPECIFIC_AVRO_VALUE_TYPE_CONFIG = "specific.avro.value.type";
  public static final String SPECIFIC_AVRO_VALUE_TYPE_DOC =
      "The generated record class the value deserializer reads into (its schema is the reader schema). When"
          + " unset, the class named by the writer schema is used.";

  public static final String SPECIFIC_AVRO_KEY_TYPE_CONFIG = "specific.avro.key.type";
  public static final String SPECIFIC_AVRO_KEY_TYPE_DOC = "As specific.avro.value.type, for keys.";

  private static final ConfigDef CONFIG =
      new ConfigDef()
          .define(SCHEMA_REGISTRY_URL_CONFIG, ConfigDef.Type.LIST, null, new UrlValidator(),
              Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
          .define(AUTO_REGISTER_SCHEMAS_CONFIG, ConfigDef.Type.BOOLEAN, true, Importance.MEDIUM,
              AUTO_REGISTER_SCHEMAS_DOC)
          .define(USE_LATEST_VERSION_CONFIG, ConfigDef.Type.BOOLEAN, false, Importance.LOW, USE_LATEST_VERSION_DOC)
          .define(LATEST_COMPATIBILITY_STRICT_CONFIG, ConfigDef.Type.BOOLEAN, true, Importance.LOW,
              LATEST_COMPATIBILITY_STRICT_DOC)
          .define(LATEST_CACHE_TTL_SEC_CONFIG, ConfigDef.Type.LONG, -1L, Importance.LOW, LATEST_CACHE_TTL_SEC_DOC)
          .define(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, ConfigDef.Type.STRING, "",
              ConfigDef.ValidString.in("", "USER_INFO", "URL"), Importance.MEDIUM, BASIC_AUTH_CREDENTIALS_SOURCE_DOC)
          .define(BASIC_AUTH_USER_INFO_CONFIG, ConfigDef.Type.PASSWORD, "", Importance.MEDIUM,
              BASIC_AUTH_USER_INFO_DOC)
          .define(HTTP_CONNECT_TIMEOUT_MS_CONFIG, ConfigDef.Type.INT, 10_000, ConfigDef.Range.atLeast(1),
              Importance.LOW, HTTP_CONNECT_TIMEOUT_MS_DOC)
          .define(HTTP_READ_TIMEOUT_MS_CONFIG, ConfigDef.Type.INT, 30_000, ConfigDef.Range.atLeast(1),
              Importance.LOW, HTTP_READ_TIMEOUT_MS_DOC)
          .define(MAX_RETRIES_CONFIG, ConfigDef.Type.INT, 3, ConfigDef.Range.atLeast(0), Importance.LOW,
              MAX_RETRIES_DOC)
          .define(RETRIES_WAIT_MS_CONFIG, ConfigDef.Type.INT, 100, ConfigDef.Range.atLeast(0), Importance.LOW,
              RETRIES_WAIT_MS_DOC)
          .define(RETRIES_MAX_WAIT_MS_CONFIG, ConfigDef.Type.INT, 5_000, ConfigDef.Range.atLeast(0),
              Importance.LOW, RETRIES_MAX_WAIT_MS_DOC)
          .define(SPECIFIC_AVRO_VALUE_TYPE_CONFIG, ConfigDef.Type.CLASS, null, Importance.LOW,
              SPECIFIC_AVRO_VALUE_TYPE_DOC)
          .define(SPECIFIC_AVRO_KEY_TYPE_CONFIG, ConfigDef.Type.CLASS, null, Importance.LOW,
              SPECIFIC_AVRO_KEY_TYPE_DOC);

  public AvroSerdeConfig(Map<String, ?> originals) {
    super(CONFIG, originals, false);
    if (getBoolean(USE_LATEST_VERSION_CONFIG) && getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG)) {
      throw new ConfigException(USE_LATEST_VERSION_CONFIG, true,
          "use.latest.version=true needs auto.register.schemas=false (the serializer would otherwise register"
              + " the record's schema and then write with another one)");
    }
  }

  /** The definition of every key, for documentation and --help output. */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }

  /**
   * The registry URLs.
   *
   * @throws ConfigException naming schema.registry.url when it is not set
   */
  public List<String> schemaRegistryUrls() {
    List<String> urls = getList(SCHEMA_REGISTRY_URL_CONFIG);
    if (urls == null) {
      throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL_CONFIG
          + "\" which has no default value (e.g. http://localhost:8081, or mock://SCOPE in unit tests)");
    }
    return urls;
  }

  /** user:password for basic auth, or null. */
  public String userInfo() {
    String source = getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG);
    if ("USER_INFO".equals(source)) {
      return getPassword(BASIC_AUTH_USER_INFO_CONFIG).value();
    }
    if ("URL".equals(source)) {
      return java.net.URI.create(schemaRegistryUrls().get(0)).getRawUserInfo();
    }
    return null;
  }

  private static final class UrlValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value == null) {
        return; // checked where a registry client is made: a serde handed a client needs no URL
      }
      @SuppressWarnings("unchecked")
      List<String> urls = (List<String>) value;
      if (urls.isEmpty()) {
        throw new ConfigException(name, value, "at least one schema registry URL is needed");
      }
      boolean mock = false;
      for (String url : urls) {
        if (MockSchemaRegistry.isMockUrl(url)) {
          mock = true;
        } else if (!url.startsWith("http://") && !url.startsWith("https://")) {
          throw new ConfigException(name, url, "a schema registry URL starts with http://, https:// or mock://");
        }
      }
      if (mock && urls.size() > 1) {
        throw new ConfigException(name, value, "a mock:// URL cannot be combined with other URLs");
      }
    }

    @Override
    public String toString() {
      return "http(s)://host:port[/path][,...] or mock://scope";
    }
  }
}
