package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.TopicRecords;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole loop on the user's own files, one per payload kind, each written by the test: no teacher
 * given (one is trained from the labelled file, as {@code ./distill demo --source FILE} does), no
 * student named (the trainer picks one for the payload). Each run gets a stack of its own, so that
 * the demo's fixed topics hold only its own data.
 *
 * <p>The bounds: each data set is generated so that its classes are separable by the payload with a
 * little label noise (2%), so a teacher trained on 80% of it scores well above chance (chance is 1/3
 * or 1/2); a student that has learned the teacher agrees with it on most held-out events, while one
 * that learned nothing agrees about as often as the majority class is frequent (below 0.6 here).
 */
@Tag("integration")
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class UsersDataDemoIT {
  private static final double AGREEMENT_BOUND = 0.85;

  @Test
  void shouldRunTheWholeLoopOnHeaderlessStructuredRecords(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("flows.csv");
    Path names = dir.resolve("names.txt");
    Files.writeString(names, "duration\nprotocol\nservice\nflag\nsrc_bytes\ndst_bytes\nnote\nlabel\n");
    // A short note of words: a field of words in the record, hashed by the teacher and the student alike.
    String[] words = {"login", "from", "host", "session", "opened", "closed", "user", "admin", "remote", "local",
        "backup", "job"};
    Random random = new Random(11);
    StringBuilder csv = new StringBuilder();
    String[] protocols = {"tcp", "udp", "icmp"};
    String[] services = {"http", "ftp", "smtp", "dns", "ssh"};
    String[] flags = {"SF", "S0", "REJ"};
    for (int i = 0; i < 3_000; i++) {
      String protocol = protocols[random.nextInt(3)];
      String service = services[random.nextInt(5)];
      String flag = flags[random.nextInt(3)];
      long src = (long) Math.exp(3 + 5 * random.nextDouble());
      long dst = (long) Math.exp(2 + 6 * random.nextDouble());
      int duration = random.nextInt(4) == 0 ? 0 : random.nextInt(500);
      StringBuilder note = new StringBuilder(words[random.nextInt(words.length)]);
      for (int w = 0; w < 2 + random.nextInt(3); w++) {
        note.append(' ').append(words[random.nextInt(words.length)]);
      }
      boolean scan = random.nextInt(8) == 0;
      if (scan) {
        note.append(" portscan");
      }
      boolean attack = (flag.equals("S0") && !service.equals("dns")) || (protocol.equals("icmp") && src > 2_000)
          || (service.equals("ftp") && dst < 50) || scan;
      if (random.nextDouble() < 0.02) {
        attack = !attack;
      }
      csv.append(duration).append(',').append(protocol).append(',').append(service).append(',').append(flag)
          .append(',').append(src).append(',').append(random.nextInt(50) == 0 ? "" : String.valueOf(dst))
          .append(',').append(note).append(',').append(attack ? "attack." : "normal.").append('\n');
    }
    Files.writeString(file, csv);

    List<String> lines = new ArrayList<>();
    DemoReport report = runDemo(file, dir, 0, lines, "--no-header", "--columns-file", names.toString(),
        "--label-column", "label", "--fields-all");
    assertTrue(lines.stream().anyMatch(l -> l.contains("picked fields-mlp: 3 numeric, 3 categorical, 1 of words")),
        lines.toString());
    assertLoopWorked(report, file);
  }

  @Test
  void shouldRunTheWholeLoopOnLabelledTextWhoseColumnsItGuesses(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("requests.csv");
    Random random = new Random(12);
    String[] noise = {"get", "post", "api", "v2", "user", "id", "page", "json", "token", "session", "lang", "en",
        "sort", "asc", "limit", "20", "item", "cart", "search", "q"};
    Map<String, String[]> planted = Map.of(
        "sqli", new String[] {"select", "union", "drop", "table", "or 1=1", "--"},
        "xss", new String[] {"<script>", "alert(1)", "onerror", "javascript:", "<img", "document.cookie"},
        "ok", new String[] {"home", "profile", "images", "about", "contact", "help"});
    List<String> classes = List.of("sqli", "xss", "ok");
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < 2_000; i++) {
      String label = classes.get(random.nextInt(3));
      List<String> words = new ArrayList<>();
      for (int w = 0; w < 6 + random.nextInt(6); w++) {
        words.add(noise[random.nextInt(noise.length)]);
      }
      for (int w = 0; w < 2; w++) {
        words.add(random.nextInt(words.size() + 1), planted.get(label)[random.nextInt(6)]);
      }
      if (random.nextDouble() < 0.02) {
        label = classes.get(random.nextInt(3));
      }
      csv.append('"').append(String.join(" ", words).replace("\"", "\"\"")).append("\",").append(label)
          .append('\n');
    }
    Files.writeString(file, csv);

    // No column named: the text and the label are guessed from the file (PayloadGuess), and the run says so.
    List<String> lines = new ArrayList<>();
    DemoReport report = runDemo(file, dir, 0, lines);
    assertTrue(lines.stream().anyMatch(l -> l.contains("No payload named") && l.contains("text: column 'text'")
        && l.contains("label: column 'label' (by its name)")), lines.toString());
    assertLoopWorked(report, file);
  }

  @Test
  void shouldRunTheWholeLoopOnGzippedIdxImages(@TempDir Path dir) throws Exception {
    int n = 2_400;
    int side = 10;
    Random random = new Random(13);
    byte[] labels = new byte[n];
    byte[][] images = new byte[n][side * side];
    for (int i = 0; i < n; i++) {
      int label = random.nextInt(3);
      labels[i] = (byte) label;
      int at = random.nextInt(side);
      for (int p = 0; p < side * side; p++) {
        int row = p / side;
        int col = p % side;
        boolean ink = label == 0 ? row == at : label == 1 ? col == at : row == col;
        int value = ink ? 160 + random.nextInt(96) : random.nextInt(60);
        images[i][p] = (byte) value;
      }
    }
    Path imagesFile = dir.resolve("bars-images-idx3-ubyte.gz");
    Path labelsFile = dir.resolve("bars-labels-idx1-ubyte.gz");
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(imagesFile)))) {
      out.writeInt(0x00000803);
      out.writeInt(n);
      out.writeInt(side);
      out.writeInt(side);
      for (byte[] image : images) {
        out.write(image);
      }
    }
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(labelsFile)))) {
      out.writeInt(0x00000801);
      out.writeInt(n);
      out.write(labels);
    }

    List<String> lines = new ArrayList<>();
    // About three passes (the default for other payloads) rather than the images' 20,000 events (DemoCommandTest):
    // ten-pixel bars are learnt by then, and the run keeps CI short.
    DemoReport report = runDemo(imagesFile, dir, 6_000, lines, "--idx-labels", labelsFile.toString());
    assertLoopWorked(report, imagesFile);
    // Images of a known shape get a convolutional student, served by the edge's plain-Java cnn.
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("Student: picked cnn [16, 32] filters of 3x3, hidden 64:"
        + " images of 10x10x1")), lines.toString());
  }

  @Test
  void shouldWriteTheReportWithoutScoringTheTeacherWhenStoppedEarly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("readings.csv");
    Random random = new Random(5);
    StringBuilder csv = new StringBuilder("a,b,label\n");
    for (int i = 0; i < 1_500; i++) {
      boolean high = random.nextBoolean();
      csv.append(random.nextGaussian() + (high ? 2 : -2)).append(',').append(random.nextGaussian()).append(',')
          .append(high ? "high" : "low").append('\n');
    }
    Files.writeString(file, csv);
    SourceOptions sources = new SourceOptions();
    new CommandLine(sources).parseArgs("--vector-column", "a,b", "--label-column", "label");
    DemoSettings settings = new DemoSettings(Scenario.ofFile(file.toString(), null, null)
        .withTeacherCache(dir.resolve("teachers")).withTeacherEpochs(3), 20_000, 200, null, 40, 0.9, 500,
        Duration.ofSeconds(4), DemoSettings.GATE, dir.resolve("report"), Duration.ofMinutes(6));
    List<String> lines = new ArrayList<>();
    Demo demo = new Demo(settings, sources);
    try (LocalStack stack = LocalStack.builder().start()) {
      // Stopped as Ctrl-C stops it (the shutdown hook calls stop()), once the edge serves a version.
      DemoReport report = demo.run(stack, line -> {
        lines.add(line);
        System.out.println(line);
        if (line.contains("edge serves v1")) {
          demo.stop();
        }
      });
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("Stopped: closing the services")), lines.toString());
      assertTrue(lines.contains("Stopped early: the teacher alone is not scored on the requests."), lines.toString());
      assertTrue(lines.stream().noneMatch(l -> l.startsWith("Scoring the teacher alone")), lines.toString());
      assertTrue(Double.isNaN(report.teacherAloneAccuracy()), "no baseline: " + report.teacherAloneAccuracy());
      assertTrue(report.produced() < 20_000, "stopped before the replay's end: " + report.produced());
      assertTrue(Files.isRegularFile(dir.resolve("report").resolve("index.html")), "the report is written");
    }
  }

  /**
   * Runs the demo on {@code file} read with {@code sourceArgs}, a teacher trained on it, {@code events} replayed (0:
   * the default), the run's progress lines added to {@code lines}.
   */
  private static DemoReport runDemo(Path file, Path dir, int events, List<String> lines, String... sourceArgs)
      throws Exception {
    SourceOptions sources = new SourceOptions();
    new CommandLine(sources).parseArgs(sourceArgs);
    DemoSettings settings = new DemoSettings(Scenario.ofFile(file.toString(), null, null)
        .withTeacherCache(dir.resolve("teachers")), events, 600, null, 40, 0.9, 500, Duration.ofSeconds(4),
        DemoSettings.GATE, dir.resolve("report"), Duration.ofMinutes(6));
    try (LocalStack stack = LocalStack.builder().start()) {
      DemoReport report = new Demo(settings, sources).run(stack, line -> {
        lines.add(line);
        System.out.println(line);
      });
      assertExactlyOneSoftLabelPerEvent(stack);
      assertTrue(lines.stream().anyMatch(l -> l.toLowerCase(Locale.ROOT).contains("test accuracy")),
          "the teacher's training printed its test accuracy: " + lines);
      return report;
    }
  }

  private static void assertLoopWorked(DemoReport report, Path file) {
    assertTrue(report.teacherTestAccuracy() >= 0.85, file + ": teacher test accuracy "
        + report.teacherTestAccuracy());
    List<DemoReport.Version> loaded = report.versions().stream()
        .filter(v -> !Double.isNaN(v.loadedAtSeconds())).toList();
    assertTrue(!loaded.isEmpty(), file + ": no version loaded at the edge: " + report.versions());
    DemoReport.Version last = report.versions().get(report.versions().size() - 1);
    assertTrue(last.heldOutAgreement() >= AGREEMENT_BOUND, file + ": last version " + last);
    // Each file holds 420-580 request examples: each is asked before a settled run ends (Demo.ENOUGH_ANSWERS).
    assertTrue(report.answered() >= 400 && report.studentAlone() > 0, file + ": edge answered "
        + report.answered() + ", by the student alone " + report.studentAlone());
    System.out.printf(Locale.ROOT, "%s: teacher test accuracy %.3f, last version v%d held-out agreement %.3f,"
            + " edge accuracy %.3f, answered by the student alone %.1f%%, version %,d bytes%n", file.getFileName(),
        report.teacherTestAccuracy(), last.version(), last.heldOutAgreement(), report.edgeAccuracy(),
        100 * report.studentAloneShare(), report.versionBytes());
  }

  /** Every input event the producer sent (the edge's feedback aside) has exactly one soft label. */
  private static void assertExactlyOneSoftLabelPerEvent(LocalStack stack) {
    Map<String, Integer> labels = new HashMap<>();
    for (SoftLabel label : read(stack, Topics.SOFT_LABELS, SoftLabel.class)) {
      labels.merge(label.getEvent().getId(), 1, Integer::sum);
    }
    int produced = 0;
    for (InputEvent event : read(stack, Topics.INPUT_EVENTS, InputEvent.class)) {
      // The edge's feedback (source edge/NODE, ids of its own) is labelled too, once each.
      assertEquals(1, labels.getOrDefault(event.getId(), 0), "soft labels of " + event.getId());
      if (!event.getSource().startsWith("edge/")) {
        produced++;
      }
    }
    assertTrue(produced >= 100, "events produced: " + produced);
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(LocalStack stack, String topic,
      Class<T> type) {
    try (AvroSerde<T> serde = AvroSerde.forValues(type, stack.clientConfig())) {
      return TopicRecords.readAll(stack, topic).stream()
          .map(r -> serde.deserializer().deserialize(topic, r.value())).toList();
    }
  }
}
