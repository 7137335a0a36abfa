package io.streamdistill.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a demo run does, validated when made (a bad value names itself). Immutable.
 *
 * @param scenario which data, teacher and student
 * @param events how many input events the producer replays
 * @param eventsPerSecond the replay's rate
 * @param omitClass a class held back until {@code switchAt} of the replay (Hinton's "omitted 3"), or null
 * @param requestsPerSecond rate of the request stream the edge node answers
 * @param cascadeThreshold below this student confidence the edge asks the teacher
 * @param publishEvery a candidate version every this many soft labels...
 * @param publishInterval ...or this often
 * @param out the report folder
 * @param maxDuration the run stops after this long whatever happened
 */
public record DemoSettings(Scenario scenario, int events, double eventsPerSecond, String omitClass,
    double requestsPerSecond, double cascadeThreshold, long publishEvery, Duration publishInterval, Path out,
    Duration maxDuration) {

  /** The two shipped scenarios. */
  public enum Scenario {
    /** SpamAssassin mails, the MiniLM teacher, the hashed n-gram student. */
    MAIL("mail", "mail", "mail-ngram"),
    /** MNIST digits, Hinton's 1200-1200 teacher, a 784-64-10 edge student. */
    MNIST("mnist", "mnist", "mnist-64");

    final String name;
    final String teacher;
    final String student;

    Scenario(String name, String teacher, String student) {
      this.name = name;
      this.teacher = teacher;
      this.student = student;
    }

    public String label() {
      return name;
    }

    public static Scenario parse(String name) {
      for (Scenario s : values()) {
        if (s.name.equals(name)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown scenario '" + name + "': use mail or mnist");
    }
  }

  public DemoSettings {
    if (events < 100) {
      throw new IllegalArgumentException("--events must be at least 100, got " + events);
    }
    if (!(eventsPerSecond > 0)) {
      throw new IllegalArgumentException("--rate must be positive, got " + eventsPerSecond);
    }
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("--requests-per-second must be positive, got " + requestsPerSecond);
    }
    if (!(cascadeThreshold >= 0 && cascadeThreshold <= 1)) {
      throw new IllegalArgumentException("--cascade-threshold must be in [0, 1], got " + cascadeThreshold);
    }
    if (publishEvery < 1) {
      throw new IllegalArgumentException("--publish-every must be positive, got " + publishEvery);
    }
    if (omitClass != null && scenario != Scenario.MNIST) {
      throw new IllegalArgumentException("--omit-class is for the mnist scenario (e.g. --omit-class 3)");
    }
    if (omitClass != null && !omitClass.matches("[0-9]")) {
      throw new IllegalArgumentException("--omit-class must be a digit 0-9, got '" + omitClass + "'");
    }
  }
}
