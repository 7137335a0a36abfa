package io.streamdistill.trainer;

import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.StudentSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The students the project ships with, by name, and custom ones from a JSON spec file. */
public final class StudentPresets {
  public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
  public static final List<String> MAIL = List.of("ham", "spam");

  /** name -> (spec, one-line description). */
  private static final Map<String, StudentSpec> PRESETS = Map.of(
      "mnist-800", new MlpSpec(DIGITS, 784, List.of(800, 800)),
      "mnist-64", new MlpSpec(DIGITS, 784, List.of(64)),
      // Without cjkCharacters: the preset's spec as its versions published before that rule hold it, so that a
      // trainer given --student mail-ngram resumes from them (ResumePoint refuses another architecture).
      "mail-ngram", new NgramSpec(MAIL, NgramFeaturizer.Settings.defaults().withCjkCharacters(false), 16));

  private StudentPresets() {}

  public static String describe() {
    return """
          auto        (default) picked from the first soft labels: text -> hashed n-grams as mail-ngram
                      (a wider bag beyond 64 classes: 32 up to 128, 64 above); a vector -> an MLP with one
                      hidden layer of 64; a structured record -> fields-mlp, an MLP over its standardised
                      numeric and one-hot categorical fields (statistics fixed in the spec);
                      images (with --image-shape) -> a cnn, two blocks of 3x3 convolutions and max pooling.
                      A model that already has a version resumes with its architecture.
          mnist-800   784-800-800-10 MLP: Hinton et al.'s distilled MNIST student
          mnist-64    784-64-10 MLP: a small MNIST student for the edge
          mail-ngram  hashed word 1-2-grams and character 3-4-grams in 2^16 buckets, a 16-wide bag, 2 classes
          FILE.json   your own spec (kind mlp, fields-mlp, cnn or hashed-ngram; see README)\
        """;
  }

  /**
   * The spec of a preset name, or read from a JSON file.
   *
   * @throws IllegalArgumentException for an unknown name or a bad file
   */
  public static StudentSpec resolve(String nameOrFile) {
    StudentSpec preset = PRESETS.get(nameOrFile);
    if (preset != null) {
      return preset;
    }
    Path file = Path.of(nameOrFile);
    if (!nameOrFile.endsWith(".json") || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("unknown student '" + nameOrFile + "': use auto, mnist-800, mnist-64,"
          + " mail-ngram or a .json spec file");
    }
    try {
      return StudentSpec.fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
