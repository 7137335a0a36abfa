package io.streamdistill.compose;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The nginx configuration a user copies from the README is the file NginxGatewayIT runs with a real nginx
 * ({@code compose/nginx/distill-gateway.conf}), word for word.
 */
class NginxGatewayConfigTest {
  private static final Path COMPOSE_DIR =
      Path.of(System.getProperty("compose.dir", "")).toAbsolutePath().normalize();

  @Test
  void theReadmeShowsTheTestedFile() throws Exception {
    String file = Files.readString(COMPOSE_DIR.resolve("nginx").resolve("distill-gateway.conf"));
    String readme = Files.readString(COMPOSE_DIR.getParent().resolve("README.md"));
    assertTrue(readme.contains("```nginx\n" + file + "```\n"),
        "README.md must show compose/nginx/distill-gateway.conf as it is, in an ```nginx block");
  }
}
