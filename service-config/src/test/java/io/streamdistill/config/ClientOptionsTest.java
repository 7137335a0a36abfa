package io.streamdistill.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ClientOptionsTest {

  @Command(name = "probe")
  static class Probe implements Runnable {
    @Mixin ClientOptions client;

    @Override
    public void run() {}
  }

  private static ClientOptions parse(String... args) {
    Probe probe = new Probe();
    new CommandLine(probe).parseArgs(args);
    return probe.client;
  }

  @Test
  void shouldLayerFileThenFlagsThenPassThrough(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "bootstrap.servers=file:9092\nschema.registry.url=http://file:8081\nacks=1\n");
    Map<String, Object> config = parse("--config", file.toString(), "--bootstrap-servers", "flag:9092",
        "-X", "acks=all", "-X", "security.protocol=SASL_SSL").clientConfig();
    assertEquals("flag:9092", config.get("bootstrap.servers"));
    assertEquals("http://file:8081", config.get("schema.registry.url"));
    assertEquals("all", config.get("acks"));
    assertEquals("SASL_SSL", config.get("security.protocol"));
  }

  @Test
  void shouldNameTheMissingSettingAndHowToGiveIt() {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> parse("--bootstrap-servers", "b:9092", "--config", "/nonexistent/none.properties").clientConfig());
    assertTrue(e.getMessage().contains("/nonexistent/none.properties"), e.getMessage());
    ConfigurationException missing = assertThrows(ConfigurationException.class,
        () -> parse("--bootstrap-servers", "b:9092", "--config", emptyFile().toString()).clientConfig());
    assertTrue(missing.getMessage().contains("schema.registry.url"), missing.getMessage());
    assertTrue(missing.getMessage().contains("--schema-registry-url"), missing.getMessage());
  }

  @Test
  void shouldMaskSecretsForLogs() {
    Map<String, Object> masked = ClientOptions.masked(Map.of(
        "sasl.jaas.config", "org.apache...PlainLoginModule required username=\"u\" password=\"p\";",
        "ssl.truststore.password", "changeit",
        "basic.auth.user.info", "u:p",
        "bootstrap.servers", "b:9092"));
    assertEquals("[hidden]", masked.get("sasl.jaas.config"));
    assertEquals("[hidden]", masked.get("ssl.truststore.password"));
    assertEquals("[hidden]", masked.get("basic.auth.user.info"));
    assertEquals("b:9092", masked.get("bootstrap.servers"));
  }

  private static Path emptyFile() throws Exception {
    Path file = Files.createTempFile("empty", ".properties");
    file.toFile().deleteOnExit();
    return file;
  }
}
