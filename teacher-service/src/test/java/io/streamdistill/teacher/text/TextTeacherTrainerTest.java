package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.teacher.model.TeacherDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's pipeline on a small synthetic corpus: split, cache, directory, reuse. */
class TextTeacherTrainerTest {
  private static final TextTeacherTrainer.Options OPTIONS = new TextTeacherTrainer.Options(64, 1e-3, 300, 42, 1);

  @TempDir
  Path dir;

  @Test
  void shouldWriteAVerifiedTeacherAndReuseItsEmbeddingsAndDirectory() throws IOException {
    Path target = dir.resolve("teachers/mail");
    Path cache = dir.resolve("cache");
    AtomicInteger corpusReads = new AtomicInteger();
    SyntheticMails mails = new SyntheticMails(20, 3);

    TextTeacherTrainer.Result first = TextTeacherTrainer.trainInto(target, cache, OPTIONS, false, "synthetic-v1",
        () -> {
          corpusReads.incrementAndGet();
          return mails;
        });
    assertFalse(first.fromCache());
    assertEquals(target, first.directory());
    assertEquals(first.descriptor(), TeacherDirectory.read(target));
    var metrics = first.descriptor().metrics();
    assertEquals(40, metrics.get("test.examples") + metrics.get("train.examples"));
    assertTrue(metrics.get("test.examples") >= 6 && metrics.get("test.examples") <= 20, metrics.toString());
    assertTrue(first.testAccuracy() >= 0.8, "test accuracy " + first.testAccuracy());
    assertEquals(40, metrics.get("embed.computed"));
    assertEquals("64", first.descriptor().options().get("maxLength"));
    try (var left = Files.list(target.getParent())) {
      assertEquals(List.of(target), left.toList(), "no temporary directory left behind");
    }

    TextTeacherTrainer.Result again = TextTeacherTrainer.trainInto(target, cache, OPTIONS, false, "synthetic-v1",
        () -> {
          corpusReads.incrementAndGet();
          return mails;
        });
    assertTrue(again.fromCache());
    assertEquals(1, corpusReads.get(), "a cached teacher needs no corpus");

    TextTeacherTrainer.Result forced = TextTeacherTrainer.trainInto(target, cache, OPTIONS, true, "synthetic-v1",
        () -> mails);
    assertFalse(forced.fromCache());
    assertEquals(0, forced.descriptor().metrics().get("embed.computed"), "every embedding from the cache");
    assertEquals(first.descriptor().version(), forced.descriptor().version(), "same data, same settings, same teacher");

    TextTeacherTrainer.Result otherL2 = TextTeacherTrainer.trainInto(target, cache,
        new TextTeacherTrainer.Options(64, 1e-2, 300, 42, 1), false, "synthetic-v1", () -> mails);
    assertFalse(otherL2.fromCache(), "other settings retrain");
    assertNotEquals(first.descriptor().version(), otherL2.descriptor().version());
  }
}
