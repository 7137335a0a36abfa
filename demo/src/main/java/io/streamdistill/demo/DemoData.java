package io.streamdistill.demo;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.ImageFolderSource;
import io.streamdistill.datasets.NaturalOrder;
import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.datasets.TextFolderSource;
import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.generic.InputLayout;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.text.MailSplit;
import io.streamdistill.teacher.training.TeacherTraining;
import io.streamdistill.teacher.training.TestSplit;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The examples of a demo run: what the producer replays and what the edge is asked. The requests are
 * examples the student never learns from: a source of their own (MNIST's test images) or the test
 * split of the replayed data (by a hash of the id, as the teacher's training keeps it apart).
 *
 * @param all every example of the scenario's source (what a teacher is trained on when none is given)
 * @param replayed the examples the producer replays
 * @param requests the examples the edge node answers
 */
record DemoData(ExampleSource all, ExampleSource replayed, List<Example> requests) {
  /** Fewer examples than this make every figure of the run a rough one, and the demo says so. */
  static final int FEW_EXAMPLES = 2_000;

  static DemoData open(Scenario scenario, SourceOptions sources, Consumer<String> progress) {
    progress.accept("Reading " + scenario.source() + "...");
    ExampleSource all = sources.open(scenario.source(), progress);
    if (all.size() == 0) {
      throw new IllegalArgumentException(scenario.source() + " holds no usable example (" + all.skipped() + ")");
    }
    requireMostlyKept(all);
    if (scenario.requestSource() != null) {
      ExampleSource requests = sources.openTestSource(scenario.requestSource(), scenario.source(), progress,
          ". Give a file with the same columns, the labels among them (the edge's answers are judged by them), or"
          + " leave --test-source out (" + TeacherTraining.Options.defaults().testPercent() + "% of --source are"
          + " then held out as requests)");
      List<Example> list = new ArrayList<>(requests.size());
      for (int i = 0; i < requests.size(); i++) {
        list.add(requests.get(i));
      }
      list = askable(list, progress);
      if (list.isEmpty()) {
        throw new IllegalArgumentException(requests.name() + " holds no example to ask the edge ("
            + requests.skipped() + ")");
      }
      list = alignLabels(all, requests.name(), list, progress);
      requireKnownClasses(all, requests.name(), list, progress);
      progress.accept(String.format(Locale.ROOT, "%s: %,d examples replayed, %,d from %s as requests",
          all.name(), all.size(), list.size(), requests.name()));
      reportSkipped(all, progress);
      reportSkipped(requests, progress);
      return new DemoData(all, all, list);
    }
    // The mail teacher keeps its own split (MailSplit); a teacher trained from a file keeps TestSplit's.
    boolean mail = scenario.equals(Scenario.MAIL);
    double testPercent = TeacherTraining.Options.defaults().testPercent();
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      Example e = all.get(i);
      boolean isTest = mail ? MailSplit.isTest(e.id()) : TestSplit.isTest(e.id(), testPercent);
      (isTest ? test : train).add(e);
    }
    if (train.isEmpty() || test.isEmpty()) {
      throw new IllegalArgumentException(all.name() + ": too few examples to keep a test split apart ("
          + all.size() + " examples, " + test.size() + " in the test split)");
    }
    test = askable(test, progress);
    int[] image = all.imageShape();
    progress.accept(String.format(Locale.ROOT, "%s: %,d examples%s (%,d replayed, %,d held out as requests)",
        all.name(), all.size(), image.length == 0 ? "" : ", images of " + Arrays.stream(image)
            .mapToObj(Integer::toString).collect(Collectors.joining("x")), train.size(), test.size()));
    reportSkipped(all, progress);
    if (all.size() < FEW_EXAMPLES) {
      progress.accept(String.format(Locale.ROOT, "  Note: %,d examples are few: the teacher's accuracy and the edge's"
          + " figures below rest on %,d requests and can move by several points from one run to the next.",
          all.size(), test.size()));
    }
    return new DemoData(all, ExampleSource.of(all.name() + "-train", train, all.classes()), test);
  }

  /**
   * The requests with each label that is no class of {@code all} but one written otherwise (UCI's {@code adult.test}
   * ends its labels with a dot, {@code >50K.} for {@code adult.data}'s {@code >50K}; case and spaces around) read
   * as that class, said; other labels as they are.
   */
  static List<Example> alignLabels(ExampleSource all, String name, List<Example> requests, Consumer<String> progress) {
    Map<String, String> byForm = new HashMap<>();
    Set<String> ambiguous = new HashSet<>();
    for (String known : all.classes()) {
      if (byForm.putIfAbsent(form(known), known) != null) {
        ambiguous.add(form(known));
      }
    }
    Set<String> known = new HashSet<>(all.classes());
    Map<String, String> read = new TreeMap<>();
    List<Example> aligned = new ArrayList<>(requests.size());
    for (Example e : requests) {
      String label = e.label();
      String as = label == null || known.contains(label) || ambiguous.contains(form(label)) ? null
          : byForm.get(form(label));
      if (as != null) {
        read.put(label, as);
        e = new Example(e.id(), e.text(), e.vector(), e.fields(), as);
      }
      aligned.add(e);
    }
    if (!read.isEmpty()) {
      progress.accept("  " + name + "'s labels written otherwise than " + all.name() + "'s are read as its classes: "
          + read.entrySet().stream().limit(5).map(x -> "'" + x.getKey() + "' as '" + x.getValue() + "'")
              .collect(Collectors.joining(", ")) + (read.size() > 5 ? ", ..." : ""));
    }
    return aligned;
  }

  /** A label as {@link #alignLabels} compares it: no spaces around, no final dot, lower case. */
  private static String form(String label) {
    String stripped = label.strip();
    if (stripped.endsWith(".")) {
      stripped = stripped.substring(0, stripped.length() - 1).strip();
    }
    return stripped.toLowerCase(Locale.ROOT);
  }

  /**
   * Refuses requests none of whose labels is a class of the replayed data (every answer would be judged wrong), and
   * says how many are of an unknown class when some are. Replayed data without labels (a teacher of the user's
   * labels it) says nothing of the classes: nothing is checked.
   */
  static void requireKnownClasses(ExampleSource all, String name, List<Example> requests, Consumer<String> progress) {
    if (all.classes().isEmpty()) {
      return;
    }
    Set<String> known = new HashSet<>(all.classes());
    long unknown = requests.stream().filter(e -> e.label() != null && !known.contains(e.label())).count();
    long labelled = requests.stream().filter(e -> e.label() != null).count();
    if (labelled > 0 && unknown == labelled) {
      throw new IllegalArgumentException(name + ": none of its labels is a class of " + all.name() + " ("
          + String.join(", ", all.classes().stream().limit(10).toList()) + (all.classes().size() > 10 ? ", ..." : "")
          + "), so every answer would be judged wrong; is its label column the same?");
    }
    if (unknown > 0) {
      progress.accept(String.format(Locale.ROOT, "  %,d of the %,d requests from %s have a label %s never has: the"
          + " edge cannot answer them right.", unknown, labelled, name, all.name()));
    }
  }

  /**
   * The held-out examples the edge is asked: the labelled ones when some have a label. An answer to a request
   * without a label can be judged neither right nor wrong: counted as wrong, half a file unlabelled read as 47%
   * accuracy at a student that agreed with its teacher on all of it.
   */
  private static List<Example> askable(List<Example> test, Consumer<String> progress) {
    List<Example> labelled = test.stream().filter(e -> e.label() != null).toList();
    if (labelled.isEmpty() || labelled.size() == test.size()) {
      return test;
    }
    progress.accept(String.format(Locale.ROOT, "  %,d of the %,d examples held out have no label: the edge is asked"
        + " the %,d labelled ones, as its accuracy needs a label to judge by.", test.size() - labelled.size(),
        test.size(), labelled.size()));
    return labelled;
  }

  /**
   * Refuses, before anything starts, a data set no teacher can be trained on: without labels, or
   * with one class only (the run would train a teacher after the stack started, and fail there).
   *
   * @throws IllegalArgumentException naming what to give instead
   */
  void requireTrainable() {
    boolean images = all.imageShape().length > 0;
    String how = images ? "in a folder of images, each class's images go in a subfolder of their own"
        + " (FOLDER/cat/1.png, FOLDER/dog/2.png); IDX images take their labels from --idx-labels"
        : all instanceof TextFolderSource ? "in a folder of text files, each class's files go in a subfolder of"
            + " their own (FOLDER/pos/1.txt, FOLDER/neg/2.txt)"
        : "--label-column names the column that holds each example's class";
    if (all.classes().isEmpty()) {
      throw new IllegalArgumentException(all.name() + " has no labels, and without --teacher the demo trains one on"
          + " labelled examples: " + how + ", or give --teacher DIR");
    }
    if (all.classes().size() == 1) {
      throw new IllegalArgumentException(all.name() + " has one class only ('" + all.classes().get(0) + "'); a"
          + " classifier needs two or more: " + how);
    }
  }

  /**
   * Refuses a teacher that cannot label this data set: one that reads another payload (its events would
   * all go to the dead letters and the trainer would wait for a first soft label forever) or that does
   * not know the file's labels (the trainer dead-letters a soft label whose ground truth is not one of
   * the teacher's classes). Said before anything starts, with what to do instead.
   *
   * @throws IllegalArgumentException naming the teacher, the file and what does not fit
   */
  void requireFits(TeacherDescriptor teacher, String teacherName) {
    Example first = replayed.get(0);
    boolean reads = teacher.takesText() ? first.text() != null
        : teacher.takesFields() ? first.fields() != null
            : first.vector() != null && first.vector().length == teacher.vectorWidth();
    String instead = ": leave --teacher out to train one on this file, or give a teacher trained on data like it";
    if (!reads) {
      String wants = teacher.takesText() ? "text"
          : teacher.takesFields() ? "structured records (named fields)"
              : "vectors of " + teacher.vectorWidth() + " values";
      String gives = payloadOf(first);
      String rows = teacher.options().getOrDefault("imageRows", "0");
      String cols = teacher.options().getOrDefault("imageCols", "0");
      if (all.imageShape().length > 0 && !rows.equals("0") && first.vector() != null) {
        // Images of another size: the folder can be read at the teacher's.
        instead = ": it was trained on images of " + rows + "x" + cols + "; give --image-size " + rows + "x" + cols;
      }
      long[] image = InputLayout.imageShape(teacher);
      if (all.imageShape().length > 0 && image.length == 3 && first.vector() != null) {
        // An imported image model: its channels, rows and cols.
        String size = image[1] + "x" + image[2];
        instead = ": it takes images of " + size + (image[0] == 3 ? " in colour" : "") + "; give --image-size " + size
            + (image[0] == 3 ? " --image-color rgb" : image[0] == 1 ? " --image-color gray" : "");
      }
      throw new IllegalArgumentException("the teacher " + teacherName + " reads " + wants + ", but " + all.name()
          + " gives " + gives + instead);
    }
    Set<String> unknown = new TreeSet<>();
    for (int i = 0; i < all.size(); i++) {
      String label = all.get(i).label();
      if (label != null && !teacher.classes().contains(label)) {
        unknown.add(label);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> some = unknown.stream().limit(5).toList();
      if (all.classes().size() == teacher.classes().size() && !TeacherCatalog.isPreset(teacherName)) {
        // The same number of classes under other names (a model's LABEL_0, LABEL_1; the data's 0, 1): renamed once.
        instead = "; if they are the same classes under other names, name the model's outputs as your data does, in"
            + " their order (" + String.join(", ", teacher.classes()) + "): ./distill import-teacher " + teacherName
            + " --force --classes " + String.join(",", all.classes().stream().sorted(NaturalOrder.COMPARATOR).toList())
            + " (that order, if it is the model's)";
      }
      throw new IllegalArgumentException("the teacher " + teacherName + " knows the classes " + teacher.classes()
          + ", but " + all.name() + " has the label" + (unknown.size() == 1 ? " " : "s ") + some
          + (unknown.size() > some.size() ? " and " + (unknown.size() - some.size()) + " more" : "") + instead);
    }
  }

  /**
   * Refuses a student named with {@code --student} that cannot read this data set's payload (its soft
   * labels would all go to the dead letters after the run had started), with what to give instead.
   *
   * @throws IllegalArgumentException naming the student, the file and what does not fit
   */
  void requireStudentFits(StudentSpec student, String studentName) {
    Example first = replayed.get(0);
    String gives = payloadOf(first);
    String reads = switch (student.inputKind()) {
      case TEXT -> first.text() != null ? null : "text";
      case FIELDS -> first.fields() != null ? null : "structured records (named fields)";
      case VECTOR -> first.vector() != null && first.vector().length == vectorWidth(student) ? null
          : "vectors of " + vectorWidth(student) + " values";
    };
    if (reads != null) {
      throw new IllegalArgumentException("the student " + studentName + " reads " + reads + ", but " + all.name()
          + " gives " + gives + ": leave --student out (auto picks one for the data) or name one that reads it");
    }
  }

  private static int vectorWidth(StudentSpec student) {
    return student instanceof ConvSpec conv ? conv.inputSize() : ((MlpSpec) student).inputSize();
  }

  /** What an example carries, as the messages about a teacher or student that cannot read it say it. */
  private static String payloadOf(Example example) {
    return example.text() != null ? "text"
        : example.fields() != null ? "structured records (named fields)"
            : "vectors of " + example.vector().length + " values";
  }

  /** On the console, not only in the services' log: a user whose file lost rows must see it, and why. */
  private static void reportSkipped(ExampleSource source, Consumer<String> progress) {
    long count = source.skipped().count();
    if (count > 0) {
      progress.accept(String.format(Locale.ROOT, "  %s: %,d %s skipped; first: %s", source.name(), count,
          skippedItems(source, count), String.join("; ", source.skipped().firstReasons())));
    }
  }

  /**
   * Refuses a source of which more was skipped than kept: that is the options' fault far more often
   * than the file's (a --numeric-columns on a text column skipped 97% of a file, and the run went on
   * with the rest).
   *
   * @throws IllegalArgumentException when more was skipped than kept, with the first reasons
   */
  private static void requireMostlyKept(ExampleSource source) {
    long count = source.skipped().count();
    if (count > source.size()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %,d %s skipped and only %,d kept: check the"
          + " options against the file; first reasons: %s", source.name(), count, skippedItems(source, count),
          source.size(), String.join("; ", source.skipped().firstReasons())));
    }
  }

  /** "rows were" or, for a folder's files, "files were" (singular for one). */
  private static String skippedItems(ExampleSource source, long count) {
    return source instanceof ImageFolderSource || source instanceof TextFolderSource
        ? (count == 1 ? "file was" : "files were") : count == 1 ? "row was" : "rows were";
  }

  /** Trains a teacher on the labelled source (train-teacher's path; reused when already trained). */
  Path trainTeacher(Scenario scenario, Consumer<String> progress) {
    progress.accept("No --teacher given: training one on the labelled examples of " + all.name()
        + " (cached for the next run)...");
    PrintStream lines = new PrintStream(new LineSink(progress), true, StandardCharsets.UTF_8);
    // One directory per data set, so a second run on the same file reuses the teacher (same fingerprint); named
    // by the file's name and a hash of its full path, so two files both called data.csv do not take turns.
    Path base = scenario.teacherCache() != null ? scenario.teacherCache()
        : DatasetCache.defaultDirectory().resolve("teachers");
    // The file's path, and what the column options made of it (the classes, the payload), so that the same file
    // read two ways keeps a teacher for each rather than retraining at every switch.
    Example first = all.get(0);
    String where = Path.of(scenario.source()).toAbsolutePath().normalize() + "|" + all.classes() + "|"
        + (first.fields() != null ? "fields" + new TreeSet<>(first.fields().keySet())
            : first.vector() != null ? "vector" + first.vector().length : "text");
    Path dir = base.resolve(all.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-"
        + String.format(Locale.ROOT, "%08x", where.hashCode()));
    TeacherTraining.Options options = TeacherTraining.Options.defaults().withMaxSeconds(scenario.teacherMaxSeconds());
    return TeacherTraining.trainOrReuse(all,
        scenario.teacherEpochs() > 0 ? options.withEpochs(scenario.teacherEpochs()) : options, dir, lines);
  }

  /** Hands each printed line (UTF-8) to the progress consumer. */
  private static final class LineSink extends OutputStream {
    private final Consumer<String> progress;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    LineSink(Consumer<String> progress) {
      this.progress = progress;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        progress.accept("  " + line.toString(StandardCharsets.UTF_8).stripTrailing());
        line.reset();
      } else {
        line.write(b);
      }
    }
  }
}
