package io.streamdistill.reliability.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.Example;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.streams.InputValidator;
import io.streamdistill.trainer.StudentPresets;
import io.streamdistill.trainer.stream.BadSoftLabelException;
import io.streamdistill.trainer.stream.SoftLabelReader;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each bad record is bad in the way its kind says, by the services' own checks (the teacher's
 * validator, the trainer's reader, the serde), on an in-memory registry: so that a campaign finding a
 * bad record processed means a service let it through, not that the campaign sent a good one.
 */
class BadRecordsTest {
  private static final String TEACHER = "mnist-mlp-1200";
  private static final TeacherDescriptor MNIST = new TeacherDescriptor(TEACHER, "v1", "mnist-mlp",
      MnistTraffic.DIGITS, TeacherDescriptor.VECTOR, 784, 1200, Map.of(), Map.of(), Map.of());
  private static final int MAX_PAYLOAD = 65_536;
  private static final Example IMAGE = new Example("image", null, image(), "7");

  private static float[] image() {
    float[] pixels = new float[784];
    Random random = new Random(1);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    return pixels;
  }

  private static Map<String, Object> registry(String scope) {
    return Map.of("schema.registry.url", "mock://" + scope);
  }

  @Test
  void shouldMakeInputEventsTheTeacherServiceRefusesEveryOneOfEveryKind() {
    try (AvroBytes<InputEvent> events = new AvroBytes<>(InputEvent.class, registry("bad-inputs"));
        AvroBytes<SoftLabel> labels = new AvroBytes<>(SoftLabel.class, registry("bad-inputs"))) {
      byte[] aSoftLabel = labels.of("labels", MnistTraffic.softLabel(MnistTraffic.event("x", IMAGE, "t"), TEACHER,
          "v1", new float[10]));
      BadInputs bad = new BadInputs("inputs", events, aSoftLabel, IMAGE, MAX_PAYLOAD, new Random(7));
      Set<String> kinds = new HashSet<>();
      for (int n = 0; n < 3 * BadInputs.KINDS.size(); n++) {
        BadRecord record = bad.next(n);
        kinds.add(record.kind());
        assertEquals(record.kind(), BadRecord.kindOf(record.key()));
        Optional<String> refusal = teacherRefusal(events, record.value());
        assertTrue(refusal.isPresent(), record.kind() + " was accepted");
      }
      assertEquals(Set.copyOf(BadInputs.KINDS), kinds);
      // And a good event passes the same checks.
      assertEquals(Optional.empty(), teacherRefusal(events, events.of("inputs", MnistTraffic.event("g", IMAGE, "t"))));
    }
  }

  /** What the teacher service's labeller checks, in its order: no value, size, decoding, the teachers' inputs. */
  private static Optional<String> teacherRefusal(AvroBytes<InputEvent> events, byte[] value) {
    if (value == null) {
      return Optional.of("null value");
    }
    if (value.length > MAX_PAYLOAD) {
      return Optional.of("too large");
    }
    InputEvent event;
    try {
      event = events.read("inputs", value);
    } catch (RuntimeException e) {
      return Optional.of("undecodable: " + e.getMessage());
    }
    return InputValidator.problem(event, List.of(MNIST));
  }

  @Test
  void shouldMakeSoftLabelsTheTrainerRefusesEveryOneOfEveryKind() {
    SoftLabelReader reader = new SoftLabelReader(StudentPresets.resolve("mnist-64"), Set.of(TEACHER));
    try (AvroBytes<InputEvent> events = new AvroBytes<>(InputEvent.class, registry("bad-labels"));
        AvroBytes<SoftLabel> labels = new AvroBytes<>(SoftLabel.class, registry("bad-labels"))) {
      byte[] anInputEvent = events.of("inputs", MnistTraffic.event("x", IMAGE, "t"));
      BadSoftLabels bad = new BadSoftLabels("labels", labels, anInputEvent, IMAGE, TEACHER, new Random(7));
      Set<String> kinds = new HashSet<>();
      for (int n = 0; n < 3 * BadSoftLabels.KINDS.size(); n++) {
        BadRecord record = bad.next(n);
        kinds.add(record.kind());
        assertTrue(trainerRefuses(reader, labels, record.value()), record.kind() + " was accepted");
      }
      assertEquals(Set.copyOf(BadSoftLabels.KINDS), kinds);
      SoftLabel good = MnistTraffic.softLabel(MnistTraffic.event("g", IMAGE, "t"), TEACHER, "v1", new float[10]);
      assertTrue(!trainerRefuses(reader, labels, labels.of("labels", good)), "a good soft label passes");
    }
  }

  private static boolean trainerRefuses(SoftLabelReader reader, AvroBytes<SoftLabel> labels, byte[] value) {
    if (value == null) {
      return true;
    }
    try {
      reader.read(labels.read("labels", value));
      return false;
    } catch (BadSoftLabelException | RuntimeException e) {
      return true;
    }
  }
}
