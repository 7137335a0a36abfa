package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.TeacherService;
import io.streamdistill.teacher.TestTraffic;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.streams.LabellingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The teacher service labels text events on the real local stack with an {@code onnx-text} teacher
 * whose directory the test builds from the MiniLM jar's ONNX file and tokenizer plus a head.
 *
 * <p>The fp32 MiniLM is used here: the service forms its own micro-batches, and only a model whose
 * outputs do not depend on the batch lets each soft label be compared with a direct call on the
 * same text within 1e-4 (the int8 model's logits move with their batch mates; see package-info).
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class OnnxTextTeacherIT {
  private static final int N = 150;

  @Test
  void shouldLabelTextEventsWithTheOnnxTextTeachersLogitsAndEmbedding(LocalStack stack, @TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("teacher");
    TextTeacherDirs.encoderWithHead(dir, TextTeacherDirs.FP32_MODEL, TextTeacherDirs.FP32_TOKENIZER, 64);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String input = "text-in-" + suffix;
    String output = "text-out-" + suffix;
    String dlq = "text-dlq-" + suffix;
    stack.createTopics(List.of(new NewTopic(input, 2, (short) 1), new NewTopic(output, 2, (short) 1),
        new NewTopic(dlq, 1, (short) 1)));
    List<Example> examples = TextTeacherFromLabelledDataTest.generate(N / 3, 21);
    TestTraffic.produce(stack, ExampleSource.of("planted-words", examples, TextTeacherFromLabelledDataTest.CLASSES),
        input, N, 0);

    try (Teacher teacher = TeacherCatalog.load(dir.toString())) {
      LabellingConfig config = LabellingConfig.defaults().withTopics(input, output, dlq)
          .withBatching(16, Duration.ofMillis(50));
      TeacherService.Settings settings = TeacherService.Settings.defaults("text-teacher-it-" + suffix)
          .withLabelling(config).withStateDir(tmp.resolve("state")).withHttp(-1, 1);
      List<SoftLabel> labels = labelledByService(stack, teacher, settings, output);
      assertEquals(N, labels.size());
      assertEquals(N, labels.stream().map(l -> l.getEvent().getId().toString()).distinct().count(), "no event twice");

      Map<String, String> texts = new HashMap<>();
      examples.forEach(e -> texts.put(e.id(), e.text()));
      try (TeacherPredictor predictor = teacher.newPredictor()) {
        for (SoftLabel label : labels) {
          assertEquals(TextTeacherDirs.CLASSES, label.getClasses().stream().map(Object::toString).toList());
          TeacherOutput out = label.getTeachers().get(0);
          assertEquals("support-minilm-head", out.getTeacherId().toString());
          assertEquals(teacher.descriptor().version(), out.getTeacherVersion().toString());
          String text = texts.get(label.getEvent().getId().toString());
          assertNotNull(text, "an event the test sent");
          Prediction direct = predictor.predict(List.of(TeacherInput.ofText(text))).get(0);
          for (int c = 0; c < 3; c++) {
            assertEquals(direct.logits()[c], out.getLogits().get(c), 1e-4, "logit " + c + " of " + text);
          }
          assertNotNull(out.getEmbedding(), "the pooled sentence embedding travels with the label");
          assertEquals(384, out.getEmbedding().size());
          for (int d = 0; d < 384; d += 37) {
            assertEquals(direct.embedding()[d], out.getEmbedding().get(d), 1e-4, "embedding " + d);
          }
        }
      }
    }
  }

  /** The N labels a teacher service writes to {@code output}, read while it runs; it is stopped after. */
  @SuppressWarnings("try") // the service is a resource only to be running while the labels are read
  private static List<SoftLabel> labelledByService(LocalStack stack, Teacher teacher, TeacherService.Settings settings,
      String output) {
    try (TeacherService service = TeacherService.start(List.of(teacher), settings, stack.clientConfig(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      return TestTraffic.consume(stack, output, N, Duration.ofMinutes(4));
    }
  }

}
