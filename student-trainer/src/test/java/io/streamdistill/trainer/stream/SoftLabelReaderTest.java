package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.student.FieldFeaturizer;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.StudentFixtures;
import io.streamdistill.trainer.model.TeacherCombination;
import io.streamdistill.trainer.model.TrainingSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SoftLabelReaderTest {
  private static final MlpSpec SPEC = new MlpSpec(List.of("a", "b", "c"), 4, List.of(8));
  private final SoftLabelReader reader = new SoftLabelReader(SPEC, Set.of("t1", "t2"));

  @Test
  void shouldKeepEachTeachersLogitsAndTakeTheirMeanArgMax() throws Exception {
    SoftLabel label = label(vector(4), null, teacher("t1", 1f, 0f, 0f), teacher("t2", 0f, 0f, 3f));
    TrainingSample sample = reader.read(label);
    assertArrayEquals(new float[] {1, 0, 0}, sample.teacherLogits()[0]);
    assertArrayEquals(new float[] {0, 0, 3}, sample.teacherLogits()[1]);
    assertEquals(2, sample.teacherClass(), "mean at T=1 of [.58 .21 .21] and [.04 .04 .91]");
    assertEquals(-1, sample.label());
    assertEquals(2, sample.hardTarget(), "no ground truth: the teacher's arg max");
  }

  @Test
  void shouldPreferGroundTruthAsTheHardTarget() throws Exception {
    TrainingSample sample = reader.read(label(vector(4), "b", teacher("t1", 5f, 0f, 0f)));
    assertEquals(0, sample.teacherClass());
    assertEquals(1, sample.hardTarget());
  }

  @Test
  void shouldRefuseEveryKindOfBadSoftLabelWithItsReason() {
    assertReason("gave 2 logits, the student has 3 classes", label(vector(4), null, teacher("t1", 1f, 2f)));
    assertReason("logit 1 is NaN", label(vector(4), null, teacher("t1", 1f, Float.NaN, 0f)));
    assertReason("logit 2 is Infinity", label(vector(4), null, teacher("t1", 1f, 0f, Float.POSITIVE_INFINITY)));
    assertReason("unknown teacher 'rogue'", label(vector(4), null, teacher("rogue", 1f, 0f, 0f)));
    assertReason("vector has 5 values, the student reads 4", label(vector(5), null, teacher("t1", 1f, 0f, 0f)));
    assertReason("reads a vector", label(null, null, teacher("t1", 1f, 0f, 0f)));
    assertReason("ground-truth label 'z'", label(vector(4), "z", teacher("t1", 1f, 0f, 0f)));
    assertReason("no teacher output", label(vector(4), null));
    SoftLabel otherClasses = label(vector(4), null, teacher("t1", 1f, 0f, 0f));
    otherClasses.setClasses(List.of("x", "y", "z"));
    assertReason("are not the student's", otherClasses);
    List<Float> nan = new ArrayList<>(Collections.nCopies(4, 0.5f));
    nan.set(2, Float.NaN);
    assertReason("vector value 2 is NaN", label(nan, null, teacher("t1", 1f, 0f, 0f)));
  }

  @Test
  void shouldRefuseALabelWithoutTheEmbeddingAHintNeeds() throws Exception {
    SoftLabelReader hinted = new SoftLabelReader(SPEC, TeacherCombination.MEAN, 3, Set.of());
    BadSoftLabelException missing = assertThrows(BadSoftLabelException.class,
        () -> hinted.read(label(vector(4), null, teacher("t1", 1f, 0f, 0f))));
    assertTrue(missing.getMessage().contains("no teacher embedding"), missing.getMessage());
    SoftLabel wide = label(vector(4), null, teacher("t1", 1f, 0f, 0f));
    wide.getTeachers().get(0).setEmbedding(List.of(1f, 2f, 3f, 4f));
    BadSoftLabelException wrong = assertThrows(BadSoftLabelException.class, () -> hinted.read(wide));
    assertTrue(wrong.getMessage().contains("width 4, the hint needs 3"), wrong.getMessage());
    SoftLabel fits = label(vector(4), null, teacher("t1", 1f, 0f, 0f));
    fits.getTeachers().get(0).setEmbedding(List.of(1f, 2f, 3f));
    assertArrayEquals(new float[] {1, 2, 3}, hinted.read(fits).teacherEmbedding());
  }

  @Test
  void shouldFeaturizeTextWithTheSharedFeaturizer() throws Exception {
    var spec = StudentFixtures.tinyNgram();
    SoftLabelReader text = new SoftLabelReader(spec, Set.of());
    SoftLabel label = label(null, "spam", teacher("any", 0f, 2f));
    label.setClasses(StudentFixtures.MAIL);
    label.getEvent().setText("Cheap pills, buy now");
    TrainingSample sample = text.read(label);
    assertArrayEquals(new NgramFeaturizer(spec.featurizer()).features("Cheap pills, buy now"), sample.buckets());
    assertNull(sample.vector());
  }

  @Test
  void shouldFeaturizeStructuredRecordsWithTheSharedFeaturizer() throws Exception {
    MlpSpec spec = StudentFixtures.tinyFieldsMlp();
    SoftLabelReader structured = new SoftLabelReader(spec, Set.of());
    Map<String, Object> fields = new java.util.HashMap<>(Map.of("bytes", 181.0, "proto", "udp", "service", "http"));
    fields.put("flag", null);
    SoftLabel label = label(null, "attack", teacher("any", 0f, 2f));
    label.setClasses(spec.classes());
    label.getEvent().setStructured(fields);
    TrainingSample sample = structured.read(label);
    assertArrayEquals(new FieldFeaturizer(spec.fields()).featurize(fields), sample.vector());
    assertEquals(1, sample.hardTarget());
    label.getEvent().setStructured(Map.of("bytes", "lots"));
    var bad = assertThrows(BadSoftLabelException.class, () -> structured.read(label));
    assertTrue(bad.getMessage().contains("field 'bytes' is 'lots'"), bad.getMessage());
    label.getEvent().setStructured(null);
    label.getEvent().setVector(vector(7));
    var none = assertThrows(BadSoftLabelException.class, () -> structured.read(label));
    assertTrue(none.getMessage().contains("record of named fields"), none.getMessage());
  }

  @Test
  void shouldRecogniseLateLabels() {
    SoftLabel late = label(null, "a");
    late.getEvent().setKind(EventKind.LATE_LABEL);
    assertTrue(SoftLabelReader.isLateLabel(late));
  }

  private void assertReason(String reason, SoftLabel label) {
    var e = assertThrows(BadSoftLabelException.class, () -> reader.read(label));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  static List<Float> vector(int n) {
    return new ArrayList<>(Collections.nCopies(n, 0.5f));
  }

  static TeacherOutput teacher(String id, float... logits) {
    List<Float> values = new ArrayList<>();
    for (float z : logits) {
      values.add(z);
    }
    return new TeacherOutput(id, "v1", values, null);
  }

  static SoftLabel label(List<Float> vector, String groundTruth, TeacherOutput... teachers) {
    InputEvent event = InputEvent.newBuilder().setId("e-1").setTimestamp(Instant.EPOCH).setSource("test")
        .setVector(vector).setLabel(groundTruth).setAttributes(Map.of()).build();
    return SoftLabel.newBuilder().setEvent(event).setClasses(List.of("a", "b", "c"))
        .setTeachers(List.of(teachers)).setLabelledAt(Instant.EPOCH).build();
  }
}
