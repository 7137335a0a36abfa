package io.streamdistill.reliability.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamdistill.reliability.traffic.BadRecord;
import io.streamdistill.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterAuditTest {
  private static DeadLetter letter(String key, String reason) {
    return DeadLetter.newBuilder().setService("teacher-service").setReason(reason).setTopic("in").setPartition(0)
        .setOffset(0).setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
        .setTimestamp(Instant.EPOCH).build();
  }

  @Test
  void shouldMatchDeadLettersToTheBadRecordsByKeyAndCountByKind() {
    List<String> sent = List.of(BadRecord.key("bad", "nan", 0), BadRecord.key("bad", "nan", 1),
        BadRecord.key("bad", "width", 2));
    DeadLetterAudit.Report report = DeadLetterAudit.audit(sent, List.of(
        letter(sent.get(0), "vector has NaN at index 17"), letter(sent.get(1), "vector has NaN at index 403"),
        letter(sent.get(1), "vector has NaN at index 403"), letter("someone-else", "undecodable")),
        BadRecord::kindOf);
    assertEquals(3, report.sent());
    assertEquals(2, report.deadLettered());
    assertEquals(1, report.missing());
    assertEquals(List.of(sent.get(2)), report.missingExamples());
    assertEquals(1, report.duplicated());
    assertEquals(new DeadLetterAudit.KindCount(2, 2, "vector has NaN at index 17"), report.byKind().get("nan"));
    assertEquals(new DeadLetterAudit.KindCount(1, 0, null), report.byKind().get("width"));
    assertEquals(Map.of("teacher-service: vector has NaN at index N", 3L, "teacher-service: undecodable", 1L),
        report.byReason());
  }

  @Test
  void shouldBlurParticularsButKeepNamesThatContainDigits() {
    assertEquals("mnist vN: the weights' SHA-256 is <hex>, the signed one is <hex>",
        DeadLetterAudit.normalize("mnist v17: the weights' SHA-256 is 3bb6cbba1b7dc178, the signed one is"
            + " ce5cef3cca35da9b"));
    assertEquals("unknown weights format 'f16-v9' (known: f32-v1, int8-v1)",
        DeadLetterAudit.normalize("unknown weights format 'f16-v9' (known: f32-v1, int8-v1)"));
    assertEquals("parameter dense0.weight has shape [N, N]",
        DeadLetterAudit.normalize("parameter dense0.weight has shape [16, 784]"));
  }
}
