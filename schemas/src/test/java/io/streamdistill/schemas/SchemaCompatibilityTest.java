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
  void shouldBeReadableByEveryReleasedReader() throws IOException {
    // Consumers still on a released version (an edge node, a trainer not yet upgraded) must read what
    // the current services write: every change so far only adds optional fields, so FORWARD holds too.
    for (String release : RELEASES) {
      Map<String, Schema> released = parseRelease(release);
      for (var entry : CURRENT.entrySet()) {
        assertTrue(CompatibilityLevel.FORWARD.allows(entry.getValue(), released.get(entry.getKey())),
            entry.getKey() + " written now cannot be read by release " + release + "'s reader");
      }
    }
  }

  @Test
  void shouldCarryStructuredFieldsPastAReleasedReaderAndBack() throws IOException {
    Schema v1 = parseRelease("v1").get("InputEvent");
    Map<String, Object> fields = new java.util.HashMap<>();
    fields.put("protocol", "tcp");
    fields.put("src_bytes", 181.0);
    fields.put("flag", null);
    InputEvent now = InputEvent.newBuilder().setId("flow-1").setTimestamp(java.time.Instant.ofEpochMilli(1_000))
        .setSource("flows.csv").setStructured(fields).setLabel("normal").build();

    // Written with the current schema, read by v1's reader: the new field is skipped, the rest kept.
    org.apache.avro.generic.GenericRecord old = decode(encode(now, InputEvent.getClassSchema()),
        InputEvent.getClassSchema(), v1);
    assertEquals("flow-1", old.get("id").toString());
    assertEquals("normal", old.get("label").toString());
    assertFalse(old.hasField("structured"));

    // Written with v1, read now: no structured payload, nothing else changed.
    org.apache.avro.generic.GenericRecord back = decode(encode(old, v1), v1, InputEvent.getClassSchema());
    assertEquals("flow-1", back.get("id").toString());
    assertEquals(null, back.get("structured"));

    // And the typed fields survive a round trip at the current version.
    org.apache.avro.generic.GenericRecord same = decode(encode(now, InputEvent.getClassSchema()),
        InputEvent.getClassSchema(), InputEvent.getClassSchema());
    Map<String, Object> read = new java.util.HashMap<>();
    ((Map<?, ?>) same.get("structured")).forEach((k, v) -> read.put(k.toString(), v));
    assertEquals(181.0, read.get("src_bytes"));
    assertEquals("tcp", read.get("protocol").toString());
    assertTrue(read.containsKey("flag"));
    assertEquals(null, read.get("flag"));
  }

  private static byte[] encode(Object record, Schema schema) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    org.apache.avro.io.DatumWriter<Object> writer = record instanceof org.apache.avro.specific.SpecificRecord
        ? new org.apache.avro.specific.SpecificDatumWriter<>(schema)
        : new org.apache.avro.generic.GenericDatumWriter<>(schema);
    writer.write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static org.apache.avro.generic.GenericRecord decode(byte[] bytes, Schema writer, Schema reader)
      throws IOException {
    return new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic.GenericRecord>(writer, reader)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes, null));
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
