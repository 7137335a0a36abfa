package io.streamdistill.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.serde.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The contracts evolve only BACKWARD-compatibly: the current schemas must read everything written
 * with every released version, kept under {@code src/test/resources/released/vN/}. When a schema
 * changes, this test says whether the change may ship; when a version is released, its files are
 * copied there.
 */
class SchemaCompatibilityTest {
  private static final List<String> RELEASES = List.of("v1");

  private static final Map<String, Schema> CURRENT = Map.of(
      "InputEvent", InputEvent.getClassSchema(),
      "SoftLabel", SoftLabel.getClassSchema(),
      "StudentModelVersion", StudentModelVersion.getClassSchema(),
      "DeploymentEvent", DeploymentEvent.getClassSchema(),
      "DeadLetter", DeadLetter.getClassSchema());

  @Test
  void shouldReadDataOfEveryReleasedVersion() throws IOException {
    for (String release : RELEASES) {
      Map<String, Schema> released = parseRelease(release);
      assertEquals(CURRENT.keySet(), released.keySet(), "every released record type still exists");
      for (var entry : CURRENT.entrySet()) {
        Schema old = released.get(entry.getKey());
        assertTrue(CompatibilityLevel.BACKWARD.allows(entry.getValue(), old),
            entry.getKey() + " is not BACKWARD compatible with release " + release);
      }
    }
  }

  @Test
  void shouldCatchAChangeThatBreaksOldData() throws IOException {
    // The check above is not vacuous: removing a field's default and adding it breaks old data.
    Schema old = parseRelease("v1").get("DeploymentEvent");
    Schema broken = new Schema.Parser().parse(DeploymentEvent.getClassSchema().toString()
        .replaceFirst("\\{\"name\":\"nodeId\"", "{\"name\":\"region\",\"type\":\"string\"},{\"name\":\"nodeId\""));
    assertFalse(CompatibilityLevel.BACKWARD.allows(broken, old));
  }

  private static Map<String, Schema> parseRelease(String release) throws IOException {
    Schema.Parser parser = new Schema.Parser();
    // Named types used by others first, as in the build.
    for (String name : List.of("InputPosition", "InputEvent", "SoftLabel", "StudentModelVersion",
        "DeploymentEvent", "DeadLetter")) {
      try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream(
          "/released/" + release + "/" + name + ".avsc")) {
        parser.parse(in);
      }
    }
    Map<String, Schema> types = parser.getTypes();
    return CURRENT.keySet().stream().collect(java.util.stream.Collectors.toMap(
        name -> name, name -> types.get("io.streamdistill.schemas." + name)));
  }
}
