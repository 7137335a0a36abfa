package io.streamdistill.teacher.training;

import io.streamdistill.datasets.Example;
import io.streamdistill.student.FieldSpec;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dense vectors, images and structured records go to a network trained here ({@link
 * DenseNetTrainer}) on the splits {@link TeacherTraining} made: the inputs become rows ({@link
 * InputFeatures}, statistics from the training split), the network is measured per class on the test
 * split ({@link ClassReport}), and written with the payload, the settings and the fingerprint
 * {@link TeacherTraining#trainOrReuse} compares ({@link DenseTeacherWriter}).
 */
final class DensePath {
  // Logs under the entry point's name, as it did before this class was split from it.
  private static final Logger LOGGER = LoggerFactory.getLogger(TeacherTraining.class);

  private DensePath() {}

  static TeacherTraining.Result train(String sourceName, Payload payload, List<Example> train, List<Example> test,
      List<String> classes, TeacherTraining.Options options, Path outDir, PrintStream progress, String fingerprint) {
    InputFeatures features = switch (payload) {
      case IMAGE -> InputFeatures.image(train.get(0).vector().length); // rows x cols, times 3 in colour
      case VECTOR -> InputFeatures.fitVector(train.stream().map(Example::vector).toList());
      case STRUCTURED -> InputFeatures.fields(fitFields(train, options));
      case TEXT -> throw new IllegalStateException("text goes to the text trainer");
    };
    if (payload == Payload.STRUCTURED) {
      FieldSpec spec = features.fieldSpec();
      progress.printf(Locale.ROOT, "fields: %d numeric (standardised%s), %d categorical (one-hot, %d values and"
          + " 'unseen')%s; %d features, statistics from the training split%n", spec.numeric().size(),
          spec.numeric().stream().anyMatch(FieldSpec.NumericField::log) ? "; heavy-tailed ones log-scaled first" : "",
          spec.categorical().size(), spec.categorical().stream().mapToInt(f -> f.values().size()).sum(),
          spec.text().isEmpty() ? "" : ", " + spec.text().size() + " of words (" + spec.text().stream()
              .map(FieldSpec.TextField::name).collect(Collectors.joining(", ")) + ": hashed, "
              + spec.text().get(0).buckets() + " buckets each)", spec.width());
      List<String> leftOut = FieldSpec.leftOut(train.stream().map(Example::fields).toList(), spec);
      if (!leftOut.isEmpty()) {
        progress.printf(Locale.ROOT, "  left out, a different value in nearly every record (an id, a timestamp or a"
            + " code?): %s%n", String.join(", ", leftOut));
      }
    }
    DenseArchitecture architecture = new DenseArchitecture(features.width(), options.model(), options.hidden(),
        payload == Payload.IMAGE ? options.imageRows() : 0, payload == Payload.IMAGE ? options.imageCols() : 0,
        classes.size());
    progress.printf(Locale.ROOT, "model: %s (kind %s, ReLU, dropout %s on the hidden layers), %d epochs%s%n",
        architecture.describe(), DenseTeacherLoader.KIND, options.hiddenDropout(), options.epochs(),
        options.maxSeconds() > 0 ? ", fewer if they would not end within the time limit of " + options.maxSeconds()
            + " s" : "");
    requireFits(train.size() + (long) test.size(), features.width(), Runtime.getRuntime().maxMemory());
    DenseData trainData = rows(train, features, classes);
    DenseData testData = rows(test, features, classes);
    DenseNetTrainer.TrainedNet net = DenseNetTrainer.train(trainData, testData, architecture, options, progress);
    try {
      int[] actual = new int[test.size()];
      int[] predicted = new int[test.size()];
      for (int i = 0; i < test.size(); i++) {
        actual[i] = testData.label(i);
        predicted[i] = DenseNetTrainer.argMax(net.testLogits()[i]);
      }
      ClassReport report = ClassReport.of(classes, actual, predicted);
      report.print(progress);
      Map<String, Double> metrics = new LinkedHashMap<>(report.metrics());
      metrics.put("train.examples", (double) train.size());
      metrics.put("train.seconds", Math.round(net.seconds() * 10) / 10.0);
      metrics.put("train.loss", net.history().get(net.history().size() - 1).loss());
      metrics.put("epochs", (double) net.history().size());
      metrics.put("epoch.kept", (double) net.keptEpoch());
      Map<String, String> settings = new LinkedHashMap<>(architecture.toOptions());
      settings.put("payload", payload.label());
      settings.put("source", sourceName);
      settings.put("training", options.key());
      settings.put("optimizer", "adam, cosine decay to 1%");
      settings.put("embedding", "last hidden layer, after ReLU");
      settings.put(TeacherTraining.FINGERPRINT, fingerprint);
      TeacherDescriptor descriptor = DenseTeacherWriter.write(outDir, net, features, new TeacherDescriptor(
          teacherId(sourceName, payload, options), "unsaved", DenseTeacherLoader.KIND, classes,
          payload == Payload.STRUCTURED ? TeacherDescriptor.STRUCTURED : TeacherDescriptor.VECTOR,
          payload == Payload.STRUCTURED ? 0 : features.width(), architecture.embeddingWidth(), Map.of(), metrics,
          settings), net.history().size());
      progress.printf("teacher %s, version %s, written to %s%n", descriptor.id(), descriptor.version(),
          outDir.toAbsolutePath());
      LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
          .addKeyValue("payload", payload.label()).addKeyValue("testAccuracy", report.accuracy())
          .addKeyValue("dir", outDir).log("teacher trained");
      return new TeacherTraining.Result(outDir, descriptor, payload, List.copyOf(test), net.testLogits());
    } finally {
      net.model().close();
    }
  }

  private static FieldSpec fitFields(List<Example> train, TeacherTraining.Options options) {
    try {
      return FieldSpec.fit(train.stream().map(Example::fields).toList(), options.maxCategories());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read the records' fields (--field-columns): " + e.getMessage(), e);
    }
  }

  /** The share of the heap, in percent, that the examples' features may take as floats. */
  static final int HEAP_PERCENT = 50;

  /**
   * Refuses, before any is made, features that would not fit in {@value #HEAP_PERCENT}% of the heap: the rows are
   * held as floats while the network trains (a million records with a field of words are 4 GB).
   *
   * @throws IllegalArgumentException saying the size, the heap and what to do
   */
  static void requireFits(long rows, int width, long maxHeap) {
    long bytes = rows * width * Float.BYTES;
    long budget = maxHeap / 100 * HEAP_PERCENT;
    if (bytes > budget || rows * width > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the examples as features are %,d rows of %,d"
          + " values, %,d MB as floats, more than the %,d MB (%d%% of the %,d MB heap) they may take: give the"
          + " JVM more (JAVA_OPTS=-Xmx%dg), or train on fewer rows (a sample of the file)", rows, width,
          bytes >> 20, budget >> 20, HEAP_PERCENT, maxHeap >> 20, Math.max(2, 2 * (bytes >> 30) + 2)));
    }
  }

  private static DenseData rows(List<Example> examples, InputFeatures features, List<String> classes) {
    int width = features.width();
    float[] x = new float[Math.multiplyExact(examples.size(), width)];
    int[] y = new int[examples.size()];
    Map<String, Integer> index = new TreeMap<>();
    for (int c = 0; c < classes.size(); c++) {
      index.put(classes.get(c), c);
    }
    for (int i = 0; i < examples.size(); i++) {
      Example example = examples.get(i);
      float[] row;
      try {
        row = features.apply(new TeacherInput(example.text(), example.vector(), example.fields()));
      } catch (TeacherException e) {
        throw new IllegalArgumentException("example " + example.id() + ": " + e.getMessage(), e);
      }
      System.arraycopy(row, 0, x, i * width, width);
      y[i] = index.get(example.label());
    }
    return new DenseData(x, y, width);
  }

  private static String teacherId(String sourceName, Payload payload, TeacherTraining.Options options) {
    String base = sourceName.replaceAll("[^A-Za-z0-9._-]+", "-");
    return base + "-" + payload.label() + "-" + options.model();
  }
}
