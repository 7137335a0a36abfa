package io.streamdistill.teacher.training;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.text.TextTeacherTrainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text examples go to the text trainer (a frozen sentence encoder, {@code --encoder}, and a trained
 * head) on the splits {@link TeacherTraining} made; the written teacher.json then gets the payload
 * and the fingerprint {@link TeacherTraining#trainOrReuse} compares.
 */
final class TextPath {
  private TextPath() {}

  static TeacherTraining.Result train(String sourceName, List<Example> train, List<Example> test,
      List<String> classes, TeacherTraining.Options options, Path outDir, PrintStream progress, String fingerprint) {
    progress.printf("model: frozen sentence encoder '%s' with a logistic-regression head (kind from the text"
        + " trainer)%n", options.encoder());
    // No embedding cache: a user's file is embedded once per teacher, and trainOrReuse already skips
    // training the same data with the same options again.
    TextTeacherTrainer.Options textOptions = TextTeacherTrainer.Options.defaults().withEncoder(options.encoder())
        .withSeed(options.seed());
    TeacherDescriptor trained = TextTeacherTrainer.train(ExampleSource.of(sourceName + "-train", train, classes),
        ExampleSource.of(sourceName + "-test", test, classes), textOptions, options.maxSeconds(), outDir, progress);
    Map<String, String> settings = new LinkedHashMap<>(trained.options());
    settings.put("payload", Payload.TEXT.label());
    settings.put("source", sourceName);
    settings.put(TeacherTraining.FINGERPRINT, fingerprint);
    TeacherDescriptor descriptor = TeacherDirectory.write(outDir, new TeacherDescriptor(trained.id(),
        trained.version(), trained.kind(), trained.classes(), trained.input(), trained.vectorWidth(),
        trained.embeddingWidth(), trained.files(), trained.metrics(), settings), trained.files().keySet());
    progress.printf("teacher %s, version %s, written to %s%n", descriptor.id(), descriptor.version(),
        outDir.toAbsolutePath());
    return new TeacherTraining.Result(outDir, descriptor, Payload.TEXT, List.copyOf(test), null);
  }
}
