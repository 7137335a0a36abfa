package io.streamdistill.demo;

import io.streamdistill.datasets.Example;
import io.streamdistill.edge.EdgeAnswer;
import io.streamdistill.producers.ReplayResult;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.trainer.stream.TrainerStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a demo run saw, as it happened: the timeline (a row a second), each version (published,
 * loaded at the edge) and every edge answer. Thread-safe: the trainer, the edge's request stream
 * and the progress loop all record here.
 */
final class DemoRecorder {
  private final long startedNanos;
  private final List<DemoReport.Row> timeline = new ArrayList<>();
  private final Map<Long, DemoReport.Version> versions = new LinkedHashMap<>();
  private final Map<Long, long[]> answersByVersion = new LinkedHashMap<>(); // version -> [answered, correct]
  private final Map<String, long[]> answersByClass = new LinkedHashMap<>(); // label -> [answered, correct]
  private long[] studentMicros = new long[1 << 16];
  private int studentCount;
  private long[] teacherMicros = new long[1 << 12];
  private int teacherCount;
  private long answered;
  /** Answered requests whose example has a label: none when the data has no labels (accuracy is then n/a). */
  private long labelledAnswers;
  private long studentAlone;
  private long teacherAsked;
  private long teacherFailed;
  private long correct;
  private long studentAloneCorrect;
  private long teacherAnswered;
  private long teacherCorrect;
  /** The request example each answered request asked about, in order. */
  private int[] askedExamples = new int[1 << 12];
  /** The edge's answer to each answered request, in order. */
  private String[] edgeLabels = new String[1 << 12];
  /** Which answered requests the student answered alone. */
  private final java.util.BitSet answeredAlone = new java.util.BitSet();
  /** Per request example, whether the teacher alone gets it right (null until scored). */
  private boolean[] teacherRight;
  /** Per request example, the teacher alone's answer (null until scored; null where it refused). */
  private String[] teacherLabels;
  private long notServing;
  private long failed;
  private long produced;
  private ReplayResult replay;

  DemoRecorder(long startedNanos) {
    this.startedNanos = startedNanos;
  }

  private String teacherId = "";
  private double teacherTestAccuracy = Double.NaN;
  private long versionBytes;
  private long edgeVersionBytesRead;
  private double teacherOutageSeconds;
  private String lastTeacherOutage = "";
  private long teacherAloneRefused;
  private long inputsDeadLettered;
  private String firstInputReason = "";
  private long softLabelsDeadLettered;
  private String lastSoftLabelReason = "";

  private double now() {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** The teacher the run labels with, and what its directory says it scored on its test split. */
  synchronized void teacher(String id, double testAccuracy) {
    this.teacherId = id;
    this.teacherTestAccuracy = testAccuracy;
  }

  synchronized void published(StudentModelVersion v) {
    versionBytes = v.getWeights().remaining();
    Map<String, Double> m = v.getMetrics();
    versions.put(v.getVersion(), new DemoReport.Version(v.getVersion(), now(), Double.NaN,
        m.getOrDefault("heldout.agreement", Double.NaN), m.getOrDefault("heldout.accuracy", Double.NaN),
        m.getOrDefault("samples.consumed", 0.0).longValue(), Double.NaN));
  }

  /** The bytes of version records the edge node has read from the models topic so far. */
  synchronized void edgeVersionBytesRead(long bytes) {
    edgeVersionBytesRead = bytes;
  }

  synchronized void loaded(long version) {
    DemoReport.Version v = versions.get(version);
    if (v != null && Double.isNaN(v.loadedAtSeconds())) {
      versions.put(version, v.withLoadedAt(now()));
    }
  }

  /** Requests the edge has answered so far. */
  synchronized long answeredSoFar() {
    return answered;
  }

  /**
   * One answered request: the edge's answer to the {@code example}-th request example, whose label
   * is {@code truth}.
   */
  synchronized void answered(EdgeAnswer answer, String truth, int example) {
    if (answered == askedExamples.length) {
      askedExamples = Arrays.copyOf(askedExamples, askedExamples.length * 2);
      edgeLabels = Arrays.copyOf(edgeLabels, edgeLabels.length * 2);
    }
    askedExamples[(int) answered] = example;
    edgeLabels[(int) answered] = answer.label();
    if (!answer.teacherAsked()) {
      answeredAlone.set((int) answered);
    }
    answered++;
    labelledAnswers += truth != null ? 1 : 0;
    boolean right = answer.label().equals(truth);
    if (truth != null) {
      long[] ofClass = answersByClass.computeIfAbsent(truth, c -> new long[2]);
      ofClass[0]++;
      ofClass[1] += right ? 1 : 0;
    }
    correct += right ? 1 : 0;
    long[] perVersion = answersByVersion.computeIfAbsent(answer.modelVersion(), v -> new long[2]);
    perVersion[0]++;
    perVersion[1] += right ? 1 : 0;
    if (answer.teacherAsked()) {
      teacherAsked++;
      if (answer.teacherFailure() != null) {
        teacherFailed++;
      }
      if (teacherCount == teacherMicros.length) {
        teacherMicros = Arrays.copyOf(teacherMicros, teacherCount * 2);
      }
      teacherMicros[teacherCount++] = answer.micros();
      if (answer.answeredBy() == EdgeAnswer.AnsweredBy.TEACHER) {
        teacherAnswered++;
        teacherCorrect += right ? 1 : 0;
      }
    } else {
      studentAlone++;
      studentAloneCorrect += right ? 1 : 0;
      if (studentCount == studentMicros.length) {
        studentMicros = Arrays.copyOf(studentMicros, studentCount * 2);
      }
      studentMicros[studentCount++] = answer.micros();
    }
  }

  synchronized void notServing() {
    notServing++;
  }

  synchronized void failed() {
    failed++;
  }

  synchronized void producedSoFar(long sent) {
    produced = Math.max(produced, sent);
  }

  synchronized void replayDone(ReplayResult result) {
    replay = result;
    produced = Math.max(produced, result.sent());
  }

  synchronized long produced() {
    return produced;
  }

  synchronized boolean replayFinished() {
    return replay != null;
  }

  synchronized void sample(long producedNow, long labelled, TrainerStatus status, long served) {
    timeline.add(new DemoReport.Row(now(), producedNow, labelled, status.consumed(), status.trained(), status.version(),
        served, status.heldOutAgreement(), status.prequentialAgreement(), status.prequentialAccuracy(), answered,
        studentAlone, teacherAsked, share(correct, answered)));
  }

  synchronized String progressLine(long labelled, TrainerStatus status, long served, String teacherOutage) {
    // A held candidate is the one thing that can keep the end waiting (up to the gate's --max-quiet): say so.
    String held = status.holdsACandidate()
        ? " (candidate held: not better than v" + status.version() + " by --min-improvement)" : "";
    return String.format(Locale.ROOT, "[%5.0fs] produced %,d | labelled %,d | trained %,d (lag %,d) | version %d,"
            + " held-out agreement %s%s | edge serves v%d: %,d answered, %s by the student alone, %,d teacher calls"
            + " saved", now(), produced, labelled, status.trained(), status.lag(), status.version(),
        percent(status.heldOutAgreement()), held, Math.max(served, 0), answered,
        answered == 0 ? "-" : percent((double) studentAlone / answered), studentAlone)
        + (teacherOutage == null ? "" : " | TEACHER OUT: " + teacherOutage);
  }

  private static String percent(double share) {
    return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  /** The request examples that were asked (each once), for scoring the teacher alone on them. */
  synchronized int[] askedExamples() {
    return Arrays.stream(askedExamples, 0, (int) answered).distinct().sorted().toArray();
  }

  /**
   * Per request example, the teacher alone's answer ({@code labels}, null where it refused) and whether it is right
   * (only those asked need be set); {@code refused}: how many of them it refused (counted as wrong).
   */
  synchronized void teacherAlone(String[] labels, boolean[] right, long refused) {
    this.teacherLabels = labels.clone();
    this.teacherRight = right.clone();
    this.teacherAloneRefused = refused;
  }

  /**
   * The share of the answered requests (the student's lone answers only, when {@code aloneOnly}) on which the edge
   * answered as the teacher alone does: the figure that judges the cascade when the data has no labels. NaN until
   * the teacher alone is scored, or when there are no such answers.
   */
  private double teacherAgreement(boolean aloneOnly) {
    if (teacherLabels == null) {
      return Double.NaN;
    }
    long same = 0;
    long all = 0;
    for (int i = 0; i < answered; i++) {
      if (!aloneOnly || answeredAlone.get(i)) {
        all++;
        same += edgeLabels[i].equals(teacherLabels[askedExamples[i]]) ? 1 : 0;
      }
    }
    return all == 0 ? Double.NaN : (double) same / all;
  }

  /**
   * A note on the rarest class of the answered requests when it is rare (under {@value #RARE_SHARE} of
   * them): how many of its requests the edge got right, and the teacher alone, since an accuracy near
   * 99% says nothing about a class of 1% (always answering the common one scores as much). Null when no
   * class is that rare. {@code examples}: the request examples, for their labels.
   */
  synchronized String rareClassNote(List<Example> examples) {
    if (answersByClass.size() < 2 || labelledAnswers == 0) {
      return null;
    }
    Map.Entry<String, long[]> rarest = answersByClass.entrySet().stream()
        .min(Comparator.comparingLong(e -> e.getValue()[0])).orElseThrow();
    long asked = rarest.getValue()[0];
    if (asked >= RARE_SHARE * labelledAnswers) {
      return null;
    }
    String teacher = "";
    if (teacherRight != null) {
      long right = 0;
      for (int i = 0; i < answered; i++) {
        int example = askedExamples[i];
        right += rarest.getKey().equals(examples.get(example).label()) && teacherRight[example] ? 1 : 0;
      }
      teacher = String.format(Locale.ROOT, ", the teacher alone %,d (%.1f%%)", right, 100.0 * right / asked);
    }
    return String.format(Locale.ROOT, "The rarest class, %s, is %.1f%% of the requests answered (%,d): the edge got"
        + " %,d of them right (%.1f%%)%s.", rarest.getKey(), 100.0 * asked / labelledAnswers, asked,
        rarest.getValue()[1], 100.0 * rarest.getValue()[1] / asked, teacher);
  }

  /** Below this share of the answered requests a class is rare enough for {@link #rareClassNote}. */
  static final double RARE_SHARE = 0.1;

  /** A teacher that could not label for the last {@code seconds}, and why. */
  synchronized void teacherOut(String why, double seconds) {
    teacherOutageSeconds += seconds;
    lastTeacherOutage = why;
  }

  /** The run's dead letters: input events the teacher service refused, soft labels the trainer refused. */
  synchronized void deadLetters(long inputs, String firstInputReason, long softLabels, String lastSoftLabelReason) {
    this.inputsDeadLettered = inputs;
    this.firstInputReason = firstInputReason;
    this.softLabelsDeadLettered = softLabels;
    this.lastSoftLabelReason = lastSoftLabelReason;
  }

  /** The teacher alone's accuracy on the last {@code n} answered requests (NaN when not scored). */
  private double teacherOnLast(long n) {
    if (teacherRight == null || n <= 0 || labelledAnswers == 0) {
      return Double.NaN;
    }
    long right = 0;
    for (long i = answered - n; i < answered; i++) {
      right += teacherRight[askedExamples[(int) i]] ? 1 : 0;
    }
    return (double) right / n;
  }

  /**
   * An accuracy: right of all, NaN when there are none or when no request had a label to judge by (the
   * requests are all labelled or none are: DemoData keeps labelled ones only when there are some).
   */
  private double share(long right, long all) {
    return all == 0 || labelledAnswers == 0 ? Double.NaN : (double) right / all;
  }

  synchronized DemoReport report(DemoSettings settings) {
    List<DemoReport.Version> list = new ArrayList<>();
    for (DemoReport.Version v : versions.values()) {
      long[] a = answersByVersion.get(v.version());
      list.add(a == null || a[0] == 0 ? v : v.withEdgeAccuracy(share(a[1], a[0])));
    }
    return new DemoReport(settings.scenario().label(), teacherId, teacherTestAccuracy, settings.events(), now(),
        produced, List.copyOf(timeline), list, versionBytes, edgeVersionBytesRead, answered, studentAlone,
        teacherAsked, teacherFailed, notServing, failed,
        share(correct, answered),
        DemoReport.Latency.of(Arrays.copyOf(studentMicros, studentCount)),
        DemoReport.Latency.of(Arrays.copyOf(teacherMicros, teacherCount)),
        share(studentAloneCorrect, studentAlone), share(teacherCorrect, teacherAnswered), Double.NaN, Double.NaN,
        teacherAgreement(false), teacherAgreement(true),
        new DemoReport.Problems(inputsDeadLettered, firstInputReason, softLabelsDeadLettered, lastSoftLabelReason,
            Math.round(teacherOutageSeconds), lastTeacherOutage, teacherAloneRefused))
        .withTeacherOnTheSameRequests(this::teacherOnLast);
  }
}
