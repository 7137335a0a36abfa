package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.stack.junit.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The mnist loop end to end, on a small slice, on the real local stack. */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class DemoIT {
  /**
   * Why 0.8: after about 5,000 training samples the 784-64-10 student agrees with the teacher on
   * 0.85-0.9 of held-out digits (TrainerIT measures the same student), while a student that learned
   * nothing agrees on about 0.1.
   */
  private static final double AGREEMENT_THRESHOLD = 0.8;

  @Test
  void shouldRunTheWholeMnistLoopAndWriteTheReport(LocalStack stack, @TempDir Path out) throws Exception {
    DemoSettings settings = new DemoSettings(Scenario.MNIST, 6_000, 1_500, null, 100, 0.9, 1_500,
        Duration.ofSeconds(5), DemoSettings.GATE, out, Duration.ofMinutes(6));
    List<String> lines = new ArrayList<>();
    DemoReport report = new Demo(settings).run(stack, lines::add);

    // Every produced event got a soft label (exactly one).
    Set<String> produced = new HashSet<>();
    for (InputEvent e : read(stack, Topics.INPUT_EVENTS, InputEvent.class)) {
      if (e.getSource().startsWith("mnist")) {
        produced.add(e.getId());
      }
    }
    assertEquals(6_000, produced.size());
    Map<String, Integer> labels = new HashMap<>();
    for (SoftLabel l : read(stack, Topics.SOFT_LABELS, SoftLabel.class)) {
      labels.merge(l.getEvent().getId(), 1, Integer::sum);
    }
    for (String id : produced) {
      assertEquals(1, labels.getOrDefault(id, 0), "soft labels of " + id);
    }

    // At least two versions, published and loaded by the edge; the last one agrees with the teacher.
    List<DemoReport.Version> loaded =
        report.versions().stream().filter(v -> !Double.isNaN(v.loadedAtSeconds())).toList();
    assertTrue(loaded.size() >= 2, "versions loaded at the edge: " + report.versions());
    DemoReport.Version last = report.versions().get(report.versions().size() - 1);
    assertTrue(last.heldOutAgreement() >= AGREEMENT_THRESHOLD, "last version: " + last);
    assertTrue(report.answered() > 100 && report.studentAlone() > 0, "edge answers: " + report.answered());
    assertTrue(lines.stream().anyMatch(l -> l.contains("by the student alone")), "progress lines");

    // The report's files exist and hold the figures.
    JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertEquals(report.versions().size(), json.get("versions").size());
    assertEquals(report.answered(), json.get("answered").asLong());
    assertTrue(json.get("timeline").size() > 3);
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("by the student alone") && html.contains("v" + last.version()), html);
    assertTrue(Files.readString(out.resolve("agreement.svg")).contains("<polyline"));
    assertTrue(Files.readString(out.resolve("latency.svg")).contains("student p50"));
    assertTrue(Files.exists(out.resolve("edge.svg")));
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(LocalStack stack, String topic,
      Class<T> type) {
    try (AvroSerde<T> serde = AvroSerde.forValues(type, stack.clientConfig())) {
      return TopicRecords.readAll(stack, topic).stream()
          .map(r -> serde.deserializer().deserialize(topic, r.value())).toList();
    }
  }
}
