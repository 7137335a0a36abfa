package io.streamdistill.trainer;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.training.TeacherTraining;
import io.streamdistill.teacher.training.TestSplit;
import io.streamdistill.trainer.CachedSoftLabels.Labelled;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * A user's labelled file as the trainer's benchmarks see it, read and split as {@code ./distill demo}
 * does: the teacher's test split (by a hash of the id) is the test set, the rest the stream; a
 * teacher given as a directory, or trained on the file as the demo trains one (cached in {@code
 * target/benchmarks}); the student the trainer's {@code --student auto} picks from the soft labels.
 *
 * @param name the file's name
 * @param spec the student {@code auto} picks
 * @param stream soft labels of the stream's examples (ground truth on a share of them)
 * @param test soft labels of the test split, ground truth on each
 * @param testInputs the test split as the edge reads it
 */
record UsersFileStream(String name, StudentSpec spec, Labelled stream, Labelled test, List<StudentInput> testInputs) {

  /**
   * Reads {@code file} with {@code sourceArgs} (the column options of {@code ./distill produce}, split at
   * spaces), labels it with the teacher in {@code teacherDir} or one trained on the file when that is empty.
   */
  static UsersFileStream open(String file, String sourceArgs, String teacherDir, double labelledShare, long seed)
      throws IOException {
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(),
        sourceArgs.isBlank() ? new String[0] : sourceArgs.trim().split("\\s+"));
    ExampleSource all = options.open(file);
    double testPercent = TeacherTraining.Options.defaults().testPercent();
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      Example e = all.get(i);
      (TestSplit.isTest(e.id(), testPercent) ? test : train).add(e);
    }
    String name = Path.of(file).getFileName().toString();
    Path teacherPath = teacherDir.isBlank()
        ? TeacherTraining.trainOrReuse(all, TeacherTraining.Options.defaults(),
            Path.of("target", "benchmarks", "teacher-" + name.replaceAll("[^A-Za-z0-9._-]", "_")), System.out)
        : Path.of(teacherDir);
    try (Teacher teacher = TeacherCatalog.load(teacherPath.toString())) {
      List<String> classes = teacher.descriptor().classes();
      Labelled stream = CachedSoftLabels.label(List.of(teacher), train, classes, "file/" + name + "/train", true,
          labelledShare, seed);
      Labelled testLabels = CachedSoftLabels.label(List.of(teacher), test, classes, "file/" + name + "/test", false,
          labelledShare, seed);
      // As the demo picks for this file: a cnn when its examples are images of a known shape.
      AutoStudent.Choice choice = AutoStudent.choose(stream.labels(), ImageShape.of(all.imageShape()));
      System.out.printf(Locale.ROOT, "%s: %,d examples streamed, %,d tested; teacher %s; %s%n", name, train.size(),
          test.size(), teacherPath, choice.reason());
      return new UsersFileStream(name, choice.spec(), stream, testLabels, test.stream().map(UsersFileStream::input)
          .toList());
    }
  }

  private static StudentInput input(Example e) {
    return e.fields() != null ? StudentInput.ofFields(e.fields())
        : e.vector() != null ? StudentInput.ofVector(e.vector()) : StudentInput.ofText(e.text());
  }
}
