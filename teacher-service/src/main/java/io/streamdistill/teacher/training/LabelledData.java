package io.streamdistill.teacher.training;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link TeacherTraining} reads from a data set before it trains: the labelled examples, their
 * classes in a natural order, the one payload they carry and the image shape, and whether the splits
 * hold enough to train and test on. Every refusal is an {@link IllegalArgumentException} that names
 * the flag to change. Stateless.
 */
final class LabelledData {
  /** The fewest training examples a teacher is trained on. */
  static final int MIN_TRAIN = 10;
  /**
   * More classes than this with fewer than {@link #MIN_PER_CLASS} labelled examples each on average is
   * not a classification task: most likely a numeric target (a price, a duration) or an id as the label.
   */
  static final int MANY_CLASSES = 50;
  static final int MIN_PER_CLASS = 5;

  private LabelledData() {}

  /** {@code options} with the image shape of {@code source} when the options name none and the source knows it. */
  static TeacherTraining.Options withSourceImageShape(ExampleSource source, TeacherTraining.Options options) {
    if (options.imageRows() > 0) {
      return options;
    }
    int[] shape = source.imageShape();
    if (shape.length == 2) {
      return options.withImageShape(shape[0], shape[1]);
    }
    // Colour: the red, green and blue planes, each rows x cols.
    return shape.length == 3 && shape[0] == 3 ? options.withImageShape(shape[1], shape[2]) : options;
  }

  /**
   * {@code options} with {@code auto} resolved: the CNN for images (gray or colour) of at least 4x4 (on a small image
   * set of synthetic shapes it scored 100% where the MLP scored 86%; on MNIST 98.6% after 2 epochs),
   * the MLP for anything else.
   */
  static TeacherTraining.Options withModelFor(Payload payload, TeacherTraining.Options options) {
    if (!TeacherTraining.Options.AUTO.equals(options.model())) {
      return options;
    }
    boolean images = payload == Payload.IMAGE && options.imageRows() >= 4 && options.imageCols() >= 4;
    return options.withModel(images ? DenseArchitecture.CNN : DenseArchitecture.MLP);
  }

  /** The examples of {@code source} that have a label, in source order; at least one. */
  static List<Example> labelled(ExampleSource source) {
    List<Example> labelled = new ArrayList<>(source.size());
    for (int i = 0; i < source.size(); i++) {
      if (source.label(i) != null) {
        labelled.add(source.get(i));
      }
    }
    if (labelled.isEmpty()) {
      throw new IllegalArgumentException("train-teacher needs labelled data: --label-column names the column that"
          + " holds each example's class (for IDX images, --idx-labels names the labels file; in a folder of images"
          + " or text files, each class is a subfolder), and " + source.name()
          + " has no labels"
          + (source.size() == 0 ? " (and no examples)" : " (" + source.size() + " examples without a label)"));
    }
    return labelled;
  }

  /** The labels present in either split: in the source's own order where it has one, the rest sorted. */
  static List<String> classes(ExampleSource source, List<Example> labelled, List<Example> test) {
    Set<String> present = new LinkedHashSet<>();
    labelled.forEach(e -> present.add(e.label()));
    test.forEach(e -> present.add(e.label()));
    List<String> ordered = new ArrayList<>();
    // The source's own order when it has one (digits 0..9), so that logits read in a natural order.
    for (String name : source.classes()) {
      if (present.remove(name)) {
        ordered.add(name);
      }
    }
    ordered.addAll(present.stream().sorted().toList());
    return ordered;
  }

  /** The payload every labelled example carries; one kind, and for vectors and images one width. */
  static Payload payload(String sourceName, List<Example> labelled, TeacherTraining.Options options) {
    boolean images = options.imageRows() > 0;
    Example first = labelled.get(0);
    if (first.text() != null && (first.fields() != null || first.vector() != null)) {
      // One would be ignored without a word: a 3-class file trained on its fields alone scored 40% where its
      // text gave 99.8%.
      String other = first.fields() != null ? "structured fields (--field-columns)" : "a vector (--vector-column)";
      throw new IllegalArgumentException(sourceName + ": the examples carry both text (--text-column) and " + other
          + "; a teacher is trained on one payload: leave out the option of the one not to learn from");
    }
    Payload payload = Payload.of(first, images);
    int width = first.vector() == null ? -1 : first.vector().length;
    for (Example example : labelled) {
      Payload kind = Payload.of(example, images);
      if (kind != payload) {
        throw new IllegalArgumentException(sourceName + ": example " + example.id() + " carries " + kind.label()
            + ", the first one " + payload.label() + "; a teacher is trained on one payload (check --text-column,"
            + " --vector-column and --field-columns)");
      }
      if ((payload == Payload.VECTOR || payload == Payload.IMAGE) && example.vector().length != width) {
        throw new IllegalArgumentException(sourceName + ": example " + example.id() + " has a vector of "
            + example.vector().length + " values, the first one " + width + " (--vector-width skips other widths)");
      }
    }
    long pixels = (long) options.imageRows() * options.imageCols();
    if (payload == Payload.IMAGE && pixels != width && 3 * pixels != width) {
      throw new IllegalArgumentException("--image-shape " + options.imageRows() + "x" + options.imageCols() + " has "
          + pixels + " pixels (" + 3 * pixels + " values in colour), the vectors of " + sourceName + " have " + width);
    }
    return payload;
  }

  /**
   * Whether every label is a number and some have a fraction: readings (a temperature, a price), which
   * make as many classes as values. Integer codes (product categories, digits) may well be classes.
   */
  static boolean measurements(List<String> classes) {
    boolean fraction = false;
    for (String label : classes) {
      String trimmed = label.trim();
      try {
        double value = Double.parseDouble(trimmed);
        fraction |= value != Math.rint(value) || trimmed.contains(".");
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return fraction;
  }

  /**
   * Refuses splits a teacher cannot be trained and tested on: fewer than two classes, fewer than
   * {@link #MIN_TRAIN} training or no test examples, or one class only in the training split.
   *
   * @param ownTestSet whether the test split is a test set of its own rather than a share of the source
   */
  static void checkEnough(String sourceName, int labelled, List<Example> train, List<Example> test,
      List<String> classes, TeacherTraining.Options options, boolean ownTestSet) {
    if (classes.size() < 2) {
      throw new IllegalArgumentException("train-teacher needs at least two classes, and every label of " + sourceName
          + " is '" + classes.get(0) + "' (check --label-column)");
    }
    if (classes.size() > MANY_CLASSES && labelled < (long) MIN_PER_CLASS * classes.size()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the labels of %s take %,d distinct values in"
          + " %,d labelled examples (%.1f each; for example %s): teachers and students here classify, so a label"
          + " names a class with examples of its own. A numeric target is read as ranges of its values with"
          + " --label-bins 5, or --label-column names the wrong column", sourceName, classes.size(), labelled,
          (double) labelled / classes.size(), String.join(", ", classes.subList(0, 5))));
    }
    if (classes.size() > MANY_CLASSES && measurements(classes)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the labels of %s are %,d distinct numbers with"
          + " fractions (for example %s): a measurement, not a class. Teachers and students here classify: read it"
          + " as ranges of its values with --label-bins 5, or --label-column names the wrong column", sourceName,
          classes.size(), String.join(", ", classes.subList(0, 5))));
    }
    if (train.size() < MIN_TRAIN || test.isEmpty()) {
      throw new IllegalArgumentException("too few labelled examples in " + sourceName + ": " + labelled + " give "
          + train.size() + " for training and " + test.size() + " for testing"
          + (ownTestSet ? "" : " at --test-percent " + options.testPercent()) + "; train-teacher needs at least "
          + MIN_TRAIN + " and 1");
    }
    long trainClasses = train.stream().map(Example::label).distinct().count();
    if (trainClasses < 2) {
      throw new IllegalArgumentException("the training split of " + sourceName + " holds one class only ("
          + train.get(0).label() + "); add examples or change --test-percent");
    }
  }
}
