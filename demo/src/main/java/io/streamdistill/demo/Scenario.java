package io.streamdistill.demo;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which data a demo replays, which teacher labels it and which student learns it; the student learns
 * at the trainer's defaults, as on the step-by-step path. The user's own file is the general case;
 * {@link #MAIL} and {@link #MNIST} are presets of it that name built-in sources and teachers.
 * Immutable.
 *
 * @param name shown in the progress line and the report
 * @param source what the producer replays: {@code mnist-train}, {@code spamassassin} or a file path
 * @param requestSource what the edge is asked: another source (e.g. {@code mnist-test}), or null for
 *     the test split of {@link #source} (by a hash of the id; never replayed, so never trained on)
 * @param teacher a teacher name ({@code mnist}, {@code mail}) or directory, or null to train one from
 *     the labelled source first (cached for the same data and options)
 * @param student a student preset, a spec file, or {@code auto} (the trainer picks one for the data)
 * @param teacherCache where a teacher trained for the run is kept, or null for the default cache
 * @param teacherEpochs epochs of the teacher trained for the run (no {@link #teacher}), or 0 for
 *     {@code train-teacher}'s default
 * @param teacherMaxSeconds the time limit of that teacher's training ({@code train-teacher --max-time}), or 0
 *     for none
 */
public record Scenario(String name, String source, String requestSource, String teacher, String student,
    Path teacherCache, int teacherEpochs, long teacherMaxSeconds) {

  /** SpamAssassin mails (train split replayed, test split as requests), MiniLM teacher, hashed n-grams. */
  public static final Scenario MAIL = new Scenario("mail", "spamassassin", null, "mail", "mail-ngram", null, 0, 0);

  /**
   * MNIST (training images replayed, test images as requests), Hinton's 1200-1200 teacher, 784-64-10 at
   * the trainer's defaults (at 0.002 and T=4 it made 376 ± 9 test errors in the methods benchmark, at
   * the defaults 276 ± 13).
   */
  public static final Scenario MNIST =
      new Scenario("mnist", "mnist-train", "mnist-test", "mnist", "mnist-64", null, 0, 0);

  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(student, "student");
    if (teacherEpochs != 0 && teacher != null) {
      throw new IllegalArgumentException("--teacher-epochs is for the teacher the demo trains; " + teacher
          + " is trained already (give one or the other)");
    }
    if (teacherEpochs < 0 || teacherEpochs > 10_000) {
      throw new IllegalArgumentException("--teacher-epochs must be in [1, 10000], not " + teacherEpochs);
    }
    if (teacherMaxSeconds != 0 && teacher != null) {
      throw new IllegalArgumentException("--teacher-max-time is for the teacher the demo trains; " + teacher
          + " is trained already (give one or the other)");
    }
    if (teacherMaxSeconds < 0) {
      throw new IllegalArgumentException("--teacher-max-time must be at least 1s, not " + teacherMaxSeconds + "s");
    }
  }

  /** The user's own data: a file, optionally a teacher, the student the trainer picks unless named. */
  public static Scenario ofFile(String file, String teacher, String student) {
    return new Scenario(Path.of(file).getFileName().toString(), file, null, teacher,
        student == null ? "auto" : student, null, 0, 0);
  }

  /** The same scenario with the edge asked {@code requests} (a source), or the test split of the source (null). */
  public Scenario withRequestSource(String requests) {
    return new Scenario(name, source, requests, teacher, student, teacherCache, teacherEpochs, teacherMaxSeconds);
  }

  /** The same scenario with trained teachers kept under {@code dir}. */
  public Scenario withTeacherCache(Path dir) {
    return new Scenario(name, source, requestSource, teacher, student, dir, teacherEpochs, teacherMaxSeconds);
  }

  /** The same scenario with the teacher it trains trained for {@code epochs} (0: train-teacher's default). */
  public Scenario withTeacherEpochs(int epochs) {
    return new Scenario(name, source, requestSource, teacher, student, teacherCache, epochs, teacherMaxSeconds);
  }

  /** The same scenario with the teacher it trains given at most {@code seconds} to train (0: no limit). */
  public Scenario withTeacherMaxSeconds(long seconds) {
    return new Scenario(name, source, requestSource, teacher, student, teacherCache, teacherEpochs, seconds);
  }

  /** A preset by name. */
  public static Scenario preset(String name) {
    return switch (name) {
      case "mail" -> MAIL;
      case "mnist" -> MNIST;
      default -> throw new IllegalArgumentException("unknown preset '" + name
          + "': use mail or mnist, or --source FILE for your own data");
    };
  }

  public String label() {
    return name;
  }
}
