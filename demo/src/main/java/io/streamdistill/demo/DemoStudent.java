package io.streamdistill.demo;

import io.streamdistill.config.Durations;
import io.streamdistill.schemas.Topics;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.AutoStudent;
import io.streamdistill.trainer.StudentPresets;
import java.util.Map;
import java.util.function.Consumer;

/** The demo's student: a preset or spec file by name, or {@code auto} as the trainer picks it. */
final class DemoStudent {
  private DemoStudent() {}

  /** The spec for {@code name}; with {@code auto}, read from the first soft labels (the call waits for them). */
  static StudentSpec resolve(String name, Map<String, Object> client, String model, Consumer<String> progress) {
    if (!AutoStudent.NAME.equals(name)) {
      return StudentPresets.resolve(name);
    }
    progress.accept("Picking a student from the first soft labels...");
    AutoStudent.Choice choice = AutoStudent.resolve(client, Topics.SOFT_LABELS, Topics.STUDENT_MODELS, model,
        AutoStudent.DEFAULT_SAMPLE, Durations.parse("--auto-wait", AutoStudent.DEFAULT_WAIT));
    progress.accept("Student: " + choice.reason() + ".");
    return choice.spec();
  }
}
