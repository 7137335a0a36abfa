package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default text teacher on the real SpamAssassin corpus. The first run on a machine embeds the
 * corpus (minutes on two cores); the embeddings and the teacher are cached under
 * {@code $DISTILL_CACHE_DIR/teachers}, so later runs take seconds.
 */
class TextTeacherQualityTest {
  private static final int SAMPLE = 64;

  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void shouldReachAtLeast94PercentOnTheHeldOutThirtyPercent() {
    TextTeacherTrainer.Result result = TextTeacherTrainer.trainedOrCached(
        TextTeacherTrainer.defaultCacheDirectory(), TextTeacherTrainer.Options.defaults());
    assertTrue(result.testAccuracy() >= 0.94, "test accuracy " + result.testAccuracy());
    var metrics = result.descriptor().metrics();
    double share = metrics.get("test.examples") / (metrics.get("test.examples") + metrics.get("train.examples"));
    assertEquals(0.30, share, 0.02, "the test split holds 30% of the corpus");

    // The directory on its own, as the service loads it: right on held-out mails it never trained on.
    SpamAssassinSource corpus = SpamAssassinSource.load(DatasetCache.atDefaultDirectory());
    List<TeacherInput> inputs = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < corpus.size() && inputs.size() < SAMPLE; i += 7) {
      if (MailSplit.isTest(corpus.get(i).id())) {
        inputs.add(TeacherInput.ofText(corpus.get(i).text()));
        labels.add(corpus.label(i));
      }
    }
    int right = 0;
    try (TextTeacher teacher = TextTeacherLoader.open(result.directory());
        TeacherPredictor predictor = teacher.newPredictor()) {
      for (int from = 0; from < inputs.size(); from += 16) {
        List<Prediction> predictions = predictor.predict(inputs.subList(from, Math.min(inputs.size(), from + 16)));
        for (int k = 0; k < predictions.size(); k++) {
          float[] logits = predictions.get(k).logits();
          String predicted = teacher.descriptor().classes().get(logits[1] > logits[0] ? 1 : 0);
          if (predicted.equals(labels.get(from + k))) {
            right++;
          }
        }
      }
    }
    assertTrue(right >= 0.9 * inputs.size(), right + " of " + inputs.size() + " held-out mails right");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void shouldPrintTestAccuracyAndDirectoryFromTheCommand(@TempDir Path out) {
    StringWriter stdout = new StringWriter();
    picocli.CommandLine cli = TrainTextTeacherCommand.commandLine();
    cli.setOut(new PrintWriter(stdout));
    assertEquals(0, cli.execute("--out", out.resolve("mail").toString()));
    assertTrue(stdout.toString().contains("test accuracy: 0.9"), stdout.toString());
    assertTrue(stdout.toString().contains("directory: " + out.resolve("mail")), stdout.toString());
  }
}
