package io.streamdistill.it;

import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Soft labels of texts from a rule as the teacher (teacher id "rule"), for ITs that train text students. */
final class RuleSoftLabels {
  private RuleSoftLabels() {}

  /**
   * A soft label of {@code text} for two classes: logits {@code (+margin, -margin)} for the first class, swapped for
   * the second.
   */
  static SoftLabel of(String id, String source, String text, List<String> classes, boolean second, float margin) {
    InputEvent event = InputEvent.newBuilder().setId(id).setTimestamp(Instant.now()).setSource(source).setText(text)
        .setAttributes(Map.of()).build();
    List<Float> logits = second ? List.of(-margin, margin) : List.of(margin, -margin);
    return SoftLabel.newBuilder().setEvent(event).setClasses(classes)
        .setTeachers(List.of(new TeacherOutput("rule", "1", logits, null))).setLabelledAt(Instant.now()).build();
  }
}
