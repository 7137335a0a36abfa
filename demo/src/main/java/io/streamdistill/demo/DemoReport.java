package io.streamdistill.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The figures of a demo run, and how they are written: {@code report.json} (everything),
 * {@code index.html} (headline figures, tables, charts) and the charts as SVG ({@code
 * agreement.svg}: held-out agreement with the teacher and edge accuracy over time, with each
 * version's publication and its load at the edge; {@code edge.svg}: the share of requests the
 * student answered alone; {@code latency.svg}: student vs teacher path). Immutable.
 *
 * <p>{@code teacherTestAccuracy} is what the teacher's directory says it scored on its own test split
 * (NaN when it does not say); {@code versionBytes} is the size of the last published version's weights;
 * {@code edgeVersionBytesRead} the bytes of version records the edge node read from the models topic over the
 * run (whole versions and patches: what following the trainer cost it). {@code edgeTeacherAgreement} is the share of
 * the requests the edge answered as the teacher alone does ({@code studentAloneTeacherAgreement}: of the student's lone
 * answers): what judges the cascade when the data has no labels (NaN when the teacher alone was not scored).
 */
public record DemoReport(String scenario, String teacher, double teacherTestAccuracy, int eventsAsked,
    double seconds, long produced, List<Row> timeline, List<Version> versions, long versionBytes,
    long edgeVersionBytesRead, long answered,
    long studentAlone, long teacherAsked, long teacherFailed, long notServing, long failed, double edgeAccuracy,
    Latency studentLatency, Latency teacherLatency, double studentAloneAccuracy, double teacherAnswerAccuracy,
    double teacherAloneAccuracy, double teacherAloneEndingAccuracy, double edgeTeacherAgreement,
    double studentAloneTeacherAgreement, Problems problems) {

  /**
   * When the requests had no labels to judge by (the edge's accuracy n/a) and the teacher alone was scored on them:
   * how often the edge answered as the teacher alone does, in a sentence; else null.
   */
  public String agreementWithoutLabels() {
    if (!Double.isNaN(edgeAccuracy) || Double.isNaN(edgeTeacherAgreement)) {
      return null;
    }
    return String.format(Locale.ROOT, "No labels to judge by: the edge answered as the teacher alone does on %s of the"
        + " requests (the student's lone answers: %s).", share(edgeTeacherAgreement),
        share(studentAloneTeacherAgreement));
  }

  /** The share of the requests {@link #ending} and the summary line use: the last third. */
  public static final double ENDING = 1 / 3.0;

  /**
   * This report with the teacher alone's accuracy on the same requests: all of them, and the last
   * {@link #ENDING} ({@code onLast}: the teacher's accuracy on the last n answered requests, NaN if unknown).
   */
  DemoReport withTeacherOnTheSameRequests(java.util.function.LongToDoubleFunction onLast) {
    return new DemoReport(scenario, teacher, teacherTestAccuracy, eventsAsked, seconds, produced, timeline, versions,
        versionBytes, edgeVersionBytesRead, answered, studentAlone, teacherAsked, teacherFailed, notServing, failed,
        edgeAccuracy, studentLatency, teacherLatency, studentAloneAccuracy, teacherAnswerAccuracy,
        onLast.applyAsDouble(answered), onLast.applyAsDouble((long) ending(ENDING)[0]), edgeTeacherAgreement,
        studentAloneTeacherAgreement, problems);
  }

  /**
   * What went wrong on the way, none of it fatal: input events the teacher service dead-lettered
   * (with the first one's reason), soft labels the trainer dead-lettered (with the last one's), how
   * long a remote teacher was failing (with its last failure), and request examples the teacher
   * alone refused while it was scored on them (counted as wrong).
   */
  public record Problems(long inputsDeadLettered, String firstInputReason, long softLabelsDeadLettered,
      String lastSoftLabelReason, long teacherOutageSeconds, String lastTeacherOutage, long teacherAloneRefused) {
    public static final Problems NONE = new Problems(0, "", 0, "", 0, "", 0);

    public boolean any() {
      return inputsDeadLettered > 0 || softLabelsDeadLettered > 0 || teacherOutageSeconds > 0
          || teacherAloneRefused > 0;
    }

    /** One line per kind of problem, for a person (empty when there were none). */
    public List<String> lines() {
      List<String> lines = new ArrayList<>();
      if (inputsDeadLettered > 0) {
        lines.add(String.format(Locale.ROOT, "%,d input events went to the dead letters (the teacher could not label"
            + " them), the first because: %s", inputsDeadLettered, firstInputReason));
      }
      if (softLabelsDeadLettered > 0) {
        lines.add(String.format(Locale.ROOT, "%,d soft labels went to the dead letters (the trainer could not learn"
            + " from them), the last because: %s", softLabelsDeadLettered, lastSoftLabelReason));
      }
      if (teacherOutageSeconds > 0) {
        lines.add(String.format(Locale.ROOT, "the teacher could not label for about %,d s (labelling waited and"
            + " resumed; nothing lost), the last time: %s", teacherOutageSeconds, lastTeacherOutage));
      }
      if (teacherAloneRefused > 0) {
        lines.add(String.format(Locale.ROOT, "the teacher alone refused %,d of the request examples it was scored on"
            + " (counted as wrong)", teacherAloneRefused));
      }
      return lines;
    }
  }

  /** What following the models topic cost the edge node, averaged over the run, in kbit/s. */
  public double edgeVersionKbitPerSecond() {
    return seconds <= 0 ? Double.NaN : edgeVersionBytesRead * 8 / 1000.0 / seconds;
  }

  /** One second of the run. */
  public record Row(double seconds, long produced, long labelled, long consumed, long trained, long version,
      long edgeVersion, double heldOutAgreement, double prequentialAgreement, double prequentialAccuracy,
      long answered, long studentAlone, long teacherAsked, double edgeAccuracy) {}

  /** One published version: when, how good on the held-out slice, when the edge served it, how it did there. */
  public record Version(long version, double publishedAtSeconds, double loadedAtSeconds, double heldOutAgreement,
      double heldOutAccuracy, long samples, double edgeAccuracy) {
    Version withLoadedAt(double seconds) {
      return new Version(version, publishedAtSeconds, seconds, heldOutAgreement, heldOutAccuracy, samples,
          edgeAccuracy);
    }

    Version withEdgeAccuracy(double accuracy) {
      return new Version(version, publishedAtSeconds, loadedAtSeconds, heldOutAgreement, heldOutAccuracy, samples,
          accuracy);
    }
  }

  /** Latency of one path at the edge, in microseconds. */
  public record Latency(long requests, long p50Micros, long p99Micros) {
    static Latency of(long[] micros) {
      if (micros.length == 0) {
        return new Latency(0, -1, -1);
      }
      long[] sorted = micros.clone();
      Arrays.sort(sorted);
      return new Latency(sorted.length, sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)]);
    }
  }

  /** The share of edge requests the student answered without the teacher: the teacher's load saved. */
  public double studentAloneShare() {
    return answered == 0 ? Double.NaN : (double) studentAlone / answered;
  }

  /**
   * The edge over the last {@code share} of the requests it answered (from the timeline): how the run
   * ends rather than how it went, early versions left out.
   *
   * @return {@code {requests, share answered by the student alone, accuracy}}, NaN where there were none
   */
  public double[] ending(double share) {
    // The run's totals are the end point: requests answered after the timeline's last row count too (a short
    // run on a small file answered all of its 22 after it, and this said "(0): n/a").
    if (answered <= 0) {
      return new double[] {0, Double.NaN, Double.NaN};
    }
    Row from = null;
    for (Row r : timeline) {
      if (r.answered() <= answered * (1 - share)) {
        from = r;
      }
    }
    long startAnswered = from == null ? 0 : from.answered();
    long startAlone = from == null ? 0 : from.studentAlone();
    double startCorrect = from == null || from.answered() == 0 ? 0 : from.edgeAccuracy() * from.answered();
    long n = answered - startAnswered;
    if (n <= 0) {
      return new double[] {0, Double.NaN, Double.NaN};
    }
    return new double[] {n, (double) (studentAlone - startAlone) / n, (edgeAccuracy * answered - startCorrect) / n};
  }

  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("report.json").toFile(), this);
    Files.writeString(dir.resolve("agreement.svg"), agreementChart());
    Files.writeString(dir.resolve("edge.svg"), chart("Share of requests the student answered alone",
        List.of(new Series("student alone (cumulative)", "#2a7ab0",
            r -> r.answered() == 0 ? Double.NaN : (double) r.studentAlone() / r.answered())), List.of()));
    Files.writeString(dir.resolve("latency.svg"), latencyChart());
    Files.writeString(dir.resolve("index.html"), html());
  }

  private record Series(String name, String color, ToDoubleFunction<Row> value) {}

  private record Marker(double seconds, String label, String color) {}

  private String agreementChart() {
    List<Marker> markers = new ArrayList<>();
    for (Version v : versions) {
      markers.add(new Marker(v.publishedAtSeconds(), "v" + v.version(), "#999999"));
      if (!Double.isNaN(v.loadedAtSeconds())) {
        markers.add(new Marker(v.loadedAtSeconds(), "", "#2e8b57"));
      }
    }
    return chart("Student vs teacher over time (grey: version published; green: loaded at the edge)", List.of(
        new Series("held-out agreement with the teacher (version in service)", "#d62728", Row::heldOutAgreement),
        new Series("prequential agreement (each batch before learning it)", "#ff7f0e", Row::prequentialAgreement),
        new Series("edge accuracy vs ground truth (cumulative)", "#1f77b4", Row::edgeAccuracy)), markers);
  }

  /** A line chart of shares (0-1) over the run's seconds, in plain SVG. */
  private String chart(String title, List<Series> series, List<Marker> markers) {
    int width = 760;
    int height = 320;
    int left = 50;
    int top = 40;
    int plotW = width - left - 20;
    int plotH = height - top - 70;
    double maxT = Math.max(1, seconds);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"13\">%s</text>%n", left, escape(title)));
    for (int i = 0; i <= 4; i++) {
      double y = top + plotH - plotH * i / 4.0;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", left, y, left + plotW, y, left - 5, y + 4,
          i / 4.0));
    }
    for (int i = 0; i <= 5; i++) {
      double x = left + plotW * i / 5.0;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f s</text>%n", x,
          top + plotH + 15, maxT * i / 5));
    }
    double lastLabel = Double.NEGATIVE_INFINITY;
    for (Marker m : markers) {
      double x = left + plotW * m.seconds() / maxT;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\""
          + " stroke-dasharray=\"3,3\"/>%n", x, top, x, top + plotH, m.color()));
      if (!m.label().isEmpty() && x - lastLabel >= 30) { // no overlapping labels when versions come fast
        lastLabel = x;
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\""
            + " text-anchor=\"middle\">%s</text>%n", x, top - 4, m.color(), escape(m.label())));
      }
    }
    int legendY = top + plotH + 32;
    for (int s = 0; s < series.size(); s++) {
      Series line = series.get(s);
      StringBuilder points = new StringBuilder();
      for (Row r : timeline) {
        double v = line.value().applyAsDouble(r);
        if (Double.isNaN(v)) {
          continue;
        }
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotW * r.seconds() / maxT,
            top + plotH - plotH * Math.max(0, Math.min(1, v))));
      }
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
          + " points=\"%s\"/>%n", line.color(), points.toString().trim()));
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\">%s</text>%n", left, legendY + s * 14 - 4, line.color(), left + 18,
          legendY + s * 14, escape(line.name())));
    }
    return svg.append("</svg>\n").toString();
  }

  private String latencyChart() {
    long max = Math.max(1, Math.max(studentLatency.p99Micros(), teacherLatency.p99Micros()));
    StringBuilder svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"170\""
        + " font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        + "<text x=\"10\" y=\"20\" font-size=\"13\">Latency at the edge (µs): student alone vs asking the"
        + " teacher</text>\n");
    Object[][] bars = {
      {"student p50", studentLatency.p50Micros(), "#2a7ab0"}, {"student p99", studentLatency.p99Micros(), "#2a7ab0"},
      {"teacher p50", teacherLatency.p50Micros(), "#d62728"}, {"teacher p99", teacherLatency.p99Micros(), "#d62728"}};
    for (int i = 0; i < bars.length; i++) {
      long value = (Long) bars[i][1];
      double w = value < 0 ? 0 : 560.0 * value / max;
      int y = 35 + i * 30;
      svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text><rect x=\"100\" y=\"%d\" width=\"%.1f\""
          + " height=\"18\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">%s</text>%n", y + 13, bars[i][0], y, w, bars[i][2],
          105 + w, y + 13, value < 0 ? "no request" : String.format(Locale.ROOT, "%,d", value)));
    }
    return svg.append("</svg>\n").toString();
  }

  private String html() {
    StringBuilder rows = new StringBuilder();
    for (Version v : versions) {
      rows.append(String.format(Locale.ROOT, "<tr><td>v%d</td><td>%.1f s</td><td>%s</td><td>%s</td><td>%s</td>"
              + "<td>%,d</td><td>%s</td></tr>%n", v.version(), v.publishedAtSeconds(),
          Double.isNaN(v.loadedAtSeconds()) ? "not loaded" : String.format(Locale.ROOT, "%.1f s", v.loadedAtSeconds()),
          share(v.heldOutAgreement()), share(v.heldOutAccuracy()), v.samples(), share(v.edgeAccuracy())));
    }
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>stream-distill demo: " + scenario
        + "</title><style>body{font-family:sans-serif;max-width:820px;margin:2em auto}td,th{padding:2px 10px;"
        + "text-align:right}table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}</style>"
        + "</head><body>\n"
        + "<h1>stream-distill demo: " + scenario + "</h1>\n"
        + String.format(Locale.ROOT, "<p>%,d events replayed in %.0f s; %d student versions published. The edge"
            + " answered %,d requests: <b>%s by the student alone</b> (teacher calls saved), %,d asked the teacher"
            + " (%,d of them failed and got the student's answer); accuracy against ground truth %s (the student's"
            + " lone answers %s, the teacher's %s; the teacher alone on the same requests: %s). The last third of the"
            + " requests: %s by the student alone, accuracy %s (the teacher alone: %s).</p>%n",
            produced, seconds, versions.size(), answered, share(studentAloneShare()), teacherAsked, teacherFailed,
            share(edgeAccuracy), share(studentAloneAccuracy), share(teacherAnswerAccuracy), share(teacherAloneAccuracy),
            share(ending(ENDING)[1]), share(ending(ENDING)[2]), share(teacherAloneEndingAccuracy))
        + String.format(Locale.ROOT, "<p>Latency at the edge: student alone p50 %,d µs, p99 %,d µs; with the"
            + " teacher p50 %,d µs, p99 %,d µs.</p>%n", studentLatency.p50Micros(), studentLatency.p99Micros(),
            teacherLatency.p50Micros(), teacherLatency.p99Micros())
        + (agreementWithoutLabels() == null ? "" : "<p>" + agreementWithoutLabels() + "</p>\n")
        + problemsHtml()
        + "<img src=\"agreement.svg\" alt=\"agreement over time\"><img src=\"edge.svg\" alt=\"share answered by the"
        + " student\"><img src=\"latency.svg\" alt=\"latency\">\n"
        + "<h2>Versions</h2><table><tr><th>version</th><th>published</th><th>loaded at the edge</th>"
        + "<th>held-out agreement</th><th>held-out accuracy</th><th>samples</th><th>edge accuracy</th></tr>\n"
        + rows + "</table>\n<p>All figures: <a href=\"report.json\">report.json</a>.</p></body></html>\n";
  }

  private String problemsHtml() {
    if (!problems.any()) {
      return "";
    }
    StringBuilder html = new StringBuilder("<h2>Problems</h2><ul>\n");
    for (String line : problems.lines()) {
      html.append("<li>").append(escape(line)).append("</li>\n");
    }
    return html.append("</ul><p>Dead letters are on <code>distill.dead-letters</code> with their original bytes"
        + " and reason.</p>\n").toString();
  }

  private static String share(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * value);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
