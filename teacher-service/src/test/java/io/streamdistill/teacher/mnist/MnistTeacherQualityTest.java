package io.streamdistill.teacher.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default teacher is good enough to teach: under 200 errors on the 10,000 MNIST test images
 * (the paper's teacher made 67, its 800-unit student trained alone 146). It is trained once per
 * machine, in minutes, into the teacher cache, and taken from there afterwards; the errors are
 * counted again here on the teacher loaded from disk, not taken from its teacher.json.
 */
class MnistTeacherQualityTest {

  @Test
  // Minutes when idle; much longer when other native-threaded jobs share the cores (see the trainer).
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void shouldMakeFewerThan200TestErrorsWithTheDefaultOptions() {
    Path dir = MnistTeacherTrainer.trainedOrCached(MnistTeacherTrainer.defaultCacheDirectory(),
        MnistTeacherTrainer.Options.DEFAULT);

    MnistImages test = MnistImages.of(MnistSource.test(DatasetCache.atDefaultDirectory()), 0);
    try (Teacher teacher = MnistTeacherLoader.load(dir); TeacherPredictor predictor = teacher.newPredictor()) {
      TeacherDescriptor descriptor = teacher.descriptor();
      int errors = MnistTeacherTrainer.countErrors(predictor, test);

      assertEquals(10_000, test.size());
      assertTrue(errors < 200, "the default MNIST teacher makes " + errors + " test errors");
      assertEquals(descriptor.metrics().get("test.errors"), errors, "teacher.json reports other errors than measured");
      assertEquals("mnist-mlp-1200", descriptor.id());
      assertEquals(1200, descriptor.embeddingWidth());
    }
  }
}
