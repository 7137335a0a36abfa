package io.streamdistill.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.EventAttributes;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.FieldSpec;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.StudentSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AutoStudentTest {
  private static final List<String> FLOW_CLASSES = List.of("normal", "attack");

  @Test
  void shouldPickAFieldsMlpFittedToStructuredRecords() {
    Random random = new Random(3);
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Map<String, Object> fields = new HashMap<>();
      fields.put("duration", random.nextGaussian() * 3 + 20);
      fields.put("src_bytes", i % 30 == 0 ? 1e7 : 50.0 + random.nextInt(500));
      fields.put("proto", i % 3 == 0 ? "udp" : "tcp");
      fields.put("flag", i % 10 == 0 ? null : "SF");
      fields.put("note", "transfer of " + (i % 2 == 0 ? "backup files " : "mail spool ") + i); // words: a text field
      labels.add(label(FLOW_CLASSES, event(i).setStructured(fields).build()));
    }
    AutoStudent.Choice choice = AutoStudent.choose(labels);
    MlpSpec spec = (MlpSpec) choice.spec();
    assertEquals("fields-mlp", spec.kind());
    assertEquals(StudentSpec.InputKind.FIELDS, spec.inputKind());
    assertEquals(FLOW_CLASSES, spec.classes());
    assertEquals(List.of(AutoStudent.HIDDEN), spec.hidden());
    FieldSpec fields = spec.fields();
    assertEquals(List.of("duration", "src_bytes"),
        fields.numeric().stream().map(FieldSpec.NumericField::name).toList());
    assertTrue(fields.numeric().get(1).log(), "byte counts with a heavy tail are log-transformed");
    assertEquals(List.of(new FieldSpec.CategoricalField("flag", List.of("SF")),
        new FieldSpec.CategoricalField("proto", List.of("tcp", "udp"))), fields.categorical());
    assertEquals(List.of(new FieldSpec.TextField("note", FieldSpec.TEXT_BUCKETS)), fields.text());
    assertEquals("picked fields-mlp: 2 numeric, 2 categorical, 1 of words fields (1031 features) from 300 of 300 soft"
        + " labels, classes [normal, attack]", choice.reason());
    assertEquals(spec, StudentSpec.fromJson(spec.toJson()), "the statistics travel in the version's spec");
  }

  @Test
  void shouldPickAnMlpOverTheVectorsWidth() {
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      labels.add(label(List.of("a", "b", "c"),
          event(i).setVector(new ArrayList<>(Collections.nCopies(12, 0.5f))).build()));
    }
    AutoStudent.Choice choice = AutoStudent.choose(labels);
    assertEquals(new MlpSpec(List.of("a", "b", "c"), 12, List.of(AutoStudent.HIDDEN)), choice.spec());
    assertNull(((MlpSpec) choice.spec()).fields());
    assertTrue(choice.reason().startsWith("picked mlp 12-64-3: vectors of 12 values in 50 of 50 soft labels"),
        choice.reason());
  }

  @Test
  void shouldPickACnnForImagesOfAKnownShapeStandardisedByTheirPixels() {
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      List<Float> pixels = new ArrayList<>();
      for (int p = 0; p < 3 * 8 * 6; p++) {
        pixels.add(p % 2 == 0 ? 0f : 200f); // mean 100, sd 100
      }
      labels.add(label(List.of("cat", "dog"), event(i).setVector(pixels).build()));
    }
    AutoStudent.Choice choice = AutoStudent.choose(labels, ImageShape.parse("--image-shape", "8x6x3"));
    ConvSpec cnn = (ConvSpec) choice.spec();
    assertEquals(new ConvSpec(List.of("cat", "dog"), 3, 8, 6, List.of(16, 32), List.of(AutoStudent.HIDDEN), 100f,
        0.01f), cnn);
    assertTrue(choice.reason().startsWith("picked cnn [16, 32] filters of 3x3, hidden 64: images of 8x6x3 in 50"),
        choice.reason());
    // Images of 3 pixels a side are halved once at most: one block.
    List<SoftLabel> tiny = labels.stream().map(l -> label(List.of("cat", "dog"),
        event(0).setVector(l.getEvent().getVector().subList(0, 27)).build())).toList();
    assertEquals(List.of(16), ((ConvSpec) AutoStudent.choose(tiny, new ImageShape(3, 3, 3)).spec()).filters());
    // A shape the vectors do not have is said, not guessed around.
    var wrong = assertThrows(IllegalArgumentException.class,
        () -> AutoStudent.choose(labels, new ImageShape(32, 32, 3)));
    assertTrue(wrong.getMessage().contains("images of 32x32x3 are 3072 values, the vectors have 144"),
        wrong.getMessage());
    // A producer of images announces their shape on each event: the same cnn, with no shape given.
    List<SoftLabel> announced = labels.stream().map(l -> label(List.of("cat", "dog"), event(0)
        .setVector(l.getEvent().getVector()).setAttributes(Map.of(EventAttributes.IMAGE_SHAPE, "8x6x3")).build()))
        .toList();
    assertEquals(cnn, AutoStudent.choose(announced).spec());
    // An announced shape the vectors do not have, or that is not one, leaves the MLP.
    for (String wrongShape : List.of("8x8x3", "eight")) {
      List<SoftLabel> misannounced = labels.stream().map(l -> label(List.of("cat", "dog"), event(0)
          .setVector(l.getEvent().getVector()).setAttributes(Map.of(EventAttributes.IMAGE_SHAPE, wrongShape)).build()))
          .toList();
      assertEquals("mlp", AutoStudent.choose(misannounced).spec().kind(), wrongShape);
    }
    var bad = assertThrows(IllegalArgumentException.class, () -> ImageShape.parse("--image-shape", "32x32x"));
    assertTrue(bad.getMessage().startsWith("--image-shape must be ROWSxCOLS or ROWSxCOLSxCHANNELS"), bad.getMessage());
    assertEquals(new ImageShape(28, 28, 1), ImageShape.parse("--image-shape", "28X28"));
    assertEquals(new ImageShape(32, 16, 3), ImageShape.of(new int[] {3, 32, 16}));
  }

  @Test
  void shouldPickAHashedNgramStudentOverTheSoftLabelsClasses() {
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      labels.add(label(List.of("benign", "malicious"), event(i).setText("GET /index.php?id=" + i).build()));
    }
    // A late label (no payload, no teacher) and a label with other classes do not count.
    SoftLabel late = label(List.of("benign", "malicious"), event(99).setKind(EventKind.LATE_LABEL).build());
    late.setTeachers(List.of());
    labels.add(late);
    labels.add(label(List.of("x", "y"), event(100).setVector(List.of(1f)).build()));
    AutoStudent.Choice choice = AutoStudent.choose(labels);
    assertEquals(new NgramSpec(List.of("benign", "malicious"), NgramFeaturizer.Settings.defaults(), 16), choice.spec());
    assertTrue(choice.reason().startsWith("picked hashed-ngram"), choice.reason());
    assertTrue(choice.reason().contains("40 of 40 soft labels, classes [benign, malicious]"), choice.reason());
  }

  @Test
  void shouldWidenTheNgramBagForManyClasses() {
    assertEquals(16, AutoStudent.ngramWidth(2));
    assertEquals(16, AutoStudent.ngramWidth(64));
    assertEquals(32, AutoStudent.ngramWidth(65));
    assertEquals(32, AutoStudent.ngramWidth(128));
    assertEquals(64, AutoStudent.ngramWidth(129));
    assertEquals(64, AutoStudent.ngramWidth(150));
    assertEquals(64, AutoStudent.ngramWidth(5_000));
    List<String> intents = IntStream.range(0, 150).mapToObj(i -> "intent_" + i).toList();
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      labels.add(label(intents, event(i).setText("book a table for " + i).build()));
    }
    AutoStudent.Choice choice = AutoStudent.choose(labels);
    assertEquals(new NgramSpec(intents, NgramFeaturizer.Settings.defaults(), 64), choice.spec());
    // The reason says the width, and a long class list is cut.
    assertTrue(choice.reason().startsWith("picked hashed-ngram (as mail-ngram, 64 wide for 150 classes): text in 20"
        + " of 20 soft labels, classes [intent_0, intent_1,"), choice.reason());
    assertTrue(choice.reason().endsWith("intent_11, ... (138 more)]"), choice.reason());
  }

  @Test
  void shouldFollowThePayloadMostLabelsCarry() {
    List<SoftLabel> labels = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      InputEvent.Builder event = event(i);
      labels.add(label(FLOW_CLASSES,
          i < 7 ? event.setText("t" + i).build() : event.setVector(List.of(1f, 2f)).build()));
    }
    assertEquals("hashed-ngram", AutoStudent.choose(labels).spec().kind());
  }

  @Test
  void shouldSayWhyItCannotPick() {
    var none = assertThrows(IllegalArgumentException.class,
        () -> AutoStudent.choose(List.of(label(FLOW_CLASSES, event(1).build()))));
    assertTrue(none.getMessage().contains("no text, vector or structured record"), none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AutoStudent.choose(List.of()));
  }

  private static InputEvent.Builder event(int i) {
    return InputEvent.newBuilder().setId("e-" + i).setTimestamp(Instant.EPOCH).setSource("test")
        .setAttributes(Map.of());
  }

  private static SoftLabel label(List<String> classes, InputEvent event) {
    List<Float> logits = new ArrayList<>(Collections.nCopies(classes.size(), 0f));
    logits.set(0, 1f);
    return SoftLabel.newBuilder().setEvent(event).setClasses(classes)
        .setTeachers(List.of(new TeacherOutput("t", "v1", logits, null))).setLabelledAt(Instant.EPOCH).build();
  }
}
