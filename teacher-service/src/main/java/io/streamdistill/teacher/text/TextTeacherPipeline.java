package io.streamdistill.teacher.text;

import io.streamdistill.config.NameLists;
import io.streamdistill.datasets.CacheDirectories;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.training.ClassReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every text teacher is made by, the mail preset's as well as any other data set's:
 * reads the labelled splits ({@link LabelledTexts}), embeds them ({@link SplitEmbedder}), trains the
 * head ({@link HeadTrainer}), measures and prints it on both splits ({@link HeadEvaluation}, {@link
 * ClassReport}) and writes the verified directory ({@link TextTeacherWriter}). Stateless; runs in
 * the calling thread.
 */
final class TextTeacherPipeline {
  // Logs under the trainer's name, as it did before this class was split from it.
  private static final Logger LOGGER = LoggerFactory.getLogger(TextTeacherTrainer.class);

  private TextTeacherPipeline() {}

  /**
   * Trains a text teacher on {@code trainSource}, measures it on {@code testSource} and writes it into
   * {@code target} (absolute and normalised), replacing what is there.
   *
   * @param out where progress, the accuracies and per-class precision/recall are printed
   * @param extraOptions written into teacher.json's options after the training settings
   * @throws TeacherException when the data, the encoder or the directory are not usable
   */
  static TextTeacherTrainer.Result run(ExampleSource trainSource, ExampleSource testSource,
      TextTeacherTrainer.Options options, Path target, PrintStream out, Map<String, String> extraOptions) {
    return run(trainSource, testSource, options, 0, target, out, extraOptions);
  }

  /**
   * As {@link #run(ExampleSource, ExampleSource, TextTeacherTrainer.Options, Path, PrintStream, Map)}, within a
   * time limit: when embedding every text would not end within {@code maxSeconds}, the teacher learns from and is
   * measured on a random share of each split ({@link EmbeddingBudget}).
   *
   * @param maxSeconds the time limit; 0 for none
   */
  static TextTeacherTrainer.Result run(ExampleSource trainSource, ExampleSource testSource,
      TextTeacherTrainer.Options options, long maxSeconds, Path target, PrintStream out,
      Map<String, String> extraOptions) {
    long started = System.nanoTime();
    TextEncoder encoder = TextEncoder.named(options.encoder());
    List<String> classes = LabelledTexts.classesOf(trainSource, testSource);
    LabelledTexts train = LabelledTexts.of(trainSource, classes);
    LabelledTexts test = LabelledTexts.of(testSource, classes);
    if (train.ids().isEmpty() || test.ids().isEmpty()) {
      throw new TeacherException("the split left " + train.ids().size() + " labelled training and "
          + test.ids().size() + " test examples (" + trainSource.name() + ", " + testSource.name()
          + "): both must have some");
    }
    String teacherId = options.teacherId() != null ? options.teacherId()
        : sanitize(trainSource.name().replaceFirst("-train$", "")) + "-" + sanitize(encoderShortName(encoder))
            + "-head";
    out.printf(Locale.ROOT, "Text teacher %s: %d classes %s, %d training and %d test texts, encoder %s, %d tokens%n",
        teacherId, classes.size(), NameLists.bracketed(classes), train.ids().size(), test.ids().size(), encoder.name(),
        options.maxTokens());

    Path work = TextTeacherWriter.newWorkDirectory(target);
    try {
      EncoderFiles files = encoder.copyTo(work);
      String fingerprint = files.fingerprint();
      float[][] trainX;
      float[][] testX;
      double embedSeconds;
      SplitEmbedder.Embedded embedded;
      int availableTexts;
      try (OnnxTextModel model = OnnxTextModel.open(files.model(), files.tokenizer(), options.maxTokens(),
          encoder.pooling(), true, 0)) {
        Path cacheFile = SplitEmbedder.cacheFile(options, encoder, fingerprint);
        long embedStarted = System.nanoTime();
        List<LabelledTexts> fitted = EmbeddingBudget.fit(model, List.of(train, test), options.batchSize(), maxSeconds,
            options.seed(), out);
        availableTexts = train.ids().size() + test.ids().size();
        train = fitted.get(0);
        test = fitted.get(1);
        embedded = SplitEmbedder.embed(model, List.of(train, test), options.batchSize(), cacheFile, out);
        embedSeconds = (System.nanoTime() - embedStarted) / 1e9;
        trainX = embedded.splits()[0];
        testX = embedded.splits()[1];
      }

      long headStarted = System.nanoTime();
      NgramFeaturizer.Settings ngrams = options.ngrams();
      NgramFeaturizer featurizer = ngrams == null ? null : new NgramFeaturizer(ngrams);
      HeadInputs trainInputs = HeadInputs.of(trainX, train.texts(), featurizer);
      HeadInputs testInputs = HeadInputs.of(testX, test.texts(), featurizer);
      HeadTrainer.Result fit = HeadTrainer.train(trainInputs, train.labels(), classes.size(),
          new HeadTrainer.Settings(options.l2(), options.iterations(), 1e-6, options.seed()));
      double headSeconds = (System.nanoTime() - headStarted) / 1e9;
      HeadEvaluation testEval = HeadEvaluation.of(fit.head(), testInputs, test.labels());
      HeadEvaluation trainEval = HeadEvaluation.of(fit.head(), trainInputs, train.labels());
      out.printf(Locale.ROOT, "Head over the embedding%s trained in %.1f s (%d L-BFGS iterations%s); train accuracy"
          + " %.4f%n", ngrams == null ? "" : " and " + ngrams.buckets() + " n-gram buckets", headSeconds,
          fit.iterations(), fit.converged() ? ", converged" : "", trainEval.accuracy());
      out.printf(Locale.ROOT, "Test accuracy %.4f (%d errors in %d)%n", testEval.accuracy(), testEval.errors(),
          test.labels().length);
      int[] predicted = new int[testX.length];
      for (int i = 0; i < testX.length; i++) {
        predicted[i] = fit.head().predict(testInputs.embedding(i), testInputs.ngrams(i));
      }
      ClassReport perClass = ClassReport.of(classes, test.labels(), predicted);
      printPerClass(out, perClass);
      String useless = perClass.uselessWarning();
      if (useless != null) {
        out.println(useless);
      }

      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("test.accuracy", testEval.accuracy());
      metrics.put("test.errors", (double) testEval.errors());
      metrics.put("test.examples", (double) test.labels().length);
      metrics.put("test.logloss", testEval.logLoss());
      metrics.put("train.accuracy", trainEval.accuracy());
      metrics.put("train.examples", (double) train.labels().length);
      for (int c = 0; c < classes.size(); c++) {
        metrics.put("test.precision." + classes.get(c), perClass.precision(c));
        metrics.put("test.recall." + classes.get(c), perClass.recall(c));
      }
      metrics.put("embed.seconds", embedSeconds);
      // Below 1 when the time limit left texts out (EmbeddingBudget).
      metrics.put("embed.share", (train.ids().size() + test.ids().size()) / (double) availableTexts);
      metrics.put("embed.computed", (double) embedded.computed());
      metrics.put("embed.cached", (double) embedded.cached());
      metrics.put("head.iterations", (double) fit.iterations());
      metrics.put("head.seconds", headSeconds);

      Map<String, String> training = new LinkedHashMap<>();
      training.put("encoderModel", encoder.description());
      training.put("encoderFingerprint", fingerprint);
      training.put("headTraining", "multinomial logistic regression, L-BFGS, l2=" + options.l2()
          + ", iterations<=" + options.iterations() + ", seed=" + options.seed());
      training.put("embedBatchSize", Integer.toString(options.batchSize()));
      training.put("trainedOn", trainSource.name());
      training.put("testedOn", testSource.name());
      training.putAll(extraOptions);
      TeacherDescriptor written = TextTeacherWriter.write(work, teacherId, classes, fit.head(), ngrams, fingerprint,
          options.maxTokens(), encoder.pooling(), metrics, training);
      TextTeacherWriter.moveIntoPlace(work, target);
      TeacherDescriptor verified = TeacherDirectory.read(target);
      out.printf(Locale.ROOT, "Wrote %s (version %s) to %s in %.1f s%n", teacherId, written.version(), target,
          (System.nanoTime() - started) / 1e9);
      LOGGER.atInfo().addKeyValue("dir", target).addKeyValue("teacherId", teacherId)
          .addKeyValue("teacherVersion", written.version()).addKeyValue("testAccuracy", testEval.accuracy())
          .addKeyValue("seconds", (System.nanoTime() - started) / 1e9).log("text teacher written");
      return new TextTeacherTrainer.Result(target, verified, false);
    } finally {
      CacheDirectories.deleteRecursively(work);
    }
  }

  /** The encoder's name in a teacher id: its preset name, or the name of the directory it was read from. */
  static String encoderShortName(TextEncoder encoder) {
    return encoder.files() == null ? encoder.name() : encoder.files().model().toAbsolutePath().getParent()
        .getFileName().toString();
  }

  /** The per-class table of a text teacher's training output: precision, recall and support, a line per class. */
  private static void printPerClass(PrintStream out, ClassReport report) {
    out.printf(Locale.ROOT, "  %-20s %9s %9s %8s%n", "class", "precision", "recall", "support");
    for (int c = 0; c < report.classes().size(); c++) {
      out.printf(Locale.ROOT, "  %-20s %9.4f %9.4f %8d%n", report.classes().get(c), report.precision(c),
          report.recall(c), report.actual()[c]);
    }
  }

  /** {@code name} made fit for a teacher id: letters, digits, '.', '_' and '-' only; never empty. */
  static String sanitize(String name) {
    String clean = name.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    return clean.isEmpty() ? "text" : clean;
  }
}
