package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
  @Test
  void shouldSayNotApplicableRatherThanNaN() {
    assertEquals("n/a", DemoCommand.percent(Double.NaN));
    assertEquals("57.0%", DemoCommand.percent(0.57));
  }

  @Test
  void shouldSendTheServicesLogToAFileInTheReportDirectoryButNotForHelp(@TempDir Path dir) {
    String property = "org.slf4j.simpleLogger.logFile";
    String before = System.getProperty(property);
    try {
      System.clearProperty(property);
      DemoCommand.logToFile(new String[] {"--help", "--out", dir.resolve("a").toString()});
      assertNull(System.getProperty(property), "--help writes nothing");
      DemoCommand.logToFile(new String[] {"mail", "--out", dir.resolve("b").toString()});
      assertEquals(dir.resolve("b").resolve(DemoCommand.LOG_FILE).toString(), System.getProperty(property));
      assertTrue(Files.isDirectory(dir.resolve("b")));
      DemoCommand.logToFile(new String[] {"--out=" + dir.resolve("c")});
      assertEquals(dir.resolve("b").resolve(DemoCommand.LOG_FILE).toString(), System.getProperty(property),
          "a log file already chosen stays");
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
  }

  @Test
  void shouldRefuseAnUnknownScenarioWithExitCodeTwo() {
    Run run = run("cifar");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unknown preset 'cifar': use mail or mnist, or --source FILE"), run.err());
    assertTrue(run.err().contains("--help"), run.err());
  }

  @Test
  void shouldRefuseABadNumberWithUsageAndExitCodeTwo() {
    Run notANumber = run("mnist", "--events", "lots");
    assertEquals(2, notANumber.code());
    assertTrue(notANumber.err().contains("Usage: demo"), notANumber.err());
    Run tooFew = run("mnist", "--events", "5");
    assertEquals(2, tooFew.code());
    assertTrue(tooFew.err().contains("--events must be at least 100"), tooFew.err());
    Run rate = run("mail", "--rate", "-3");
    assertEquals(2, rate.code());
    assertTrue(rate.err().contains("--rate must be positive"), rate.err());
    Run both = run("mail", "--source", "flows.csv");
    assertEquals(2, both.code());
    assertTrue(both.err().contains("either a preset (mail) or --source FILE"), both.err());
    Run presetTeacher = run("mnist", "--teacher", "my-teacher");
    assertEquals(2, presetTeacher.code());
    assertTrue(presetTeacher.err().contains("--teacher, --teacher-epochs, --teacher-max-time, --student and"
        + " --test-source go with --source FILE"),
        presetTeacher.err());
    Run presetEpochs = run("mnist", "--teacher-epochs", "5");
    assertEquals(2, presetEpochs.code());
    assertTrue(presetEpochs.err().contains("--student and --test-source go with --source FILE"),
        presetEpochs.err());
    Run trainedAndEpochs = run("--source", "flows.csv", "--teacher", "my-teacher", "--teacher-epochs", "5");
    assertEquals(2, trainedAndEpochs.code());
    assertTrue(trainedAndEpochs.err().contains("--teacher-epochs is for the teacher the demo trains; my-teacher is"
        + " trained already"), trainedAndEpochs.err());
    Run trainedAndTime = run("--source", "flows.csv", "--teacher", "my-teacher", "--teacher-max-time", "5m");
    assertEquals(2, trainedAndTime.code());
    assertTrue(trainedAndTime.err().contains("--teacher-max-time is for the teacher the demo trains; my-teacher is"
        + " trained already"), trainedAndTime.err());
    Run badTime = run("--source", "flows.csv", "--teacher-max-time", "soon");
    assertEquals(2, badTime.code());
    assertTrue(badTime.err().contains("--teacher-max-time must be a duration"), badTime.err());
    Run noTime = run("--source", "flows.csv", "--teacher-max-time", "0s");
    assertEquals(2, noTime.code());
    assertTrue(noTime.err().contains("--teacher-max-time must be at least 1s, not 0s"), noTime.err());
    Run noEpochs = run("--source", "flows.csv", "--teacher-epochs", "0");
    assertEquals(2, noEpochs.code());
    assertTrue(noEpochs.err().contains("--teacher-epochs must be at least 1, not 0"), noEpochs.err());
    Run duration = run("mnist", "--publish-interval", "soon");
    assertEquals(2, duration.code());
    // A file that is not there is said before the stack starts (this test starts none: it would hang here).
    Run missing = run("--source", "no-such-file.csv");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("--source no-such-file.csv is neither"), missing.err());
    assertFalse(missing.out().contains("Starting the local stack"), missing.out());
  }

  @Test
  void shouldSayAMissingColumnOrATeacherThatDoesNotFitBeforeTheStackStarts(@TempDir Path dir) throws Exception {
    StringBuilder rows = new StringBuilder("id,body,label\n");
    for (int i = 0; i < 100; i++) {
      rows.append(i).append(i % 2 == 0 ? ",hello there,a\n" : ",bye now,b\n");
    }
    Path csv = Files.writeString(dir.resolve("tickets.csv"), rows);
    String property = "org.slf4j.simpleLogger.logFile";
    String before = System.getProperty(property);
    Run noColumn;
    try {
      // As ./distill demo runs: the services' log goes to a file, which the terminal names once it matters.
      System.setProperty(property, dir.resolve(DemoCommand.LOG_FILE).toString());
      noColumn = run("--source", csv.toString(), "--text-column", "text", "--label-column", "label");
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
    assertEquals(2, noColumn.code(), "the arguments name a column the file lacks");
    assertTrue(noColumn.err().contains("tickets.csv has no column text; its header has: id, body, label"),
        noColumn.err());
    assertFalse(noColumn.out().contains("Starting the local stack"), noColumn.out());
    assertFalse(noColumn.out().contains("Service logs"), "a bad argument is not a service's: " + noColumn.out());

    Path teacher = Files.createDirectories(dir.resolve("teacher"));
    Files.writeString(teacher.resolve("teacher.json"), """
        {"id": "big", "version": "1", "kind": "oip", "classes": ["a", "b"], "input": "vector", "vectorWidth": 4,
         "files": {}, "options": {"url": "http://127.0.0.1:9", "model": "m"}}
        """);
    Run wrongStudent = run("--source", csv.toString(), "--text-column", "body", "--label-column", "label",
        "--student", "mnist-64");
    assertEquals(2, wrongStudent.code());
    assertTrue(wrongStudent.err().contains("the student mnist-64 reads vectors of 784 values, but tickets.csv gives"
        + " text"), wrongStudent.err());
    assertFalse(wrongStudent.out().contains("Starting the local stack"), wrongStudent.out());
    Run unfit = run("--source", csv.toString(), "--text-column", "body", "--teacher", teacher.toString());
    assertEquals(2, unfit.code());
    assertTrue(unfit.err().contains("reads vectors of 4 values, but tickets.csv gives text"), unfit.err());
    assertFalse(unfit.out().contains("Starting the local stack"), unfit.out());
  }

  @Test
  void shouldReadAFolderOfImagesByClassAndSayTheirShape(@TempDir Path dir) throws Exception {
    for (int i = 0; i < 60; i++) {
      BufferedImage image = new BufferedImage(16, 12, BufferedImage.TYPE_BYTE_GRAY);
      image.getRaster().setSample(i % 16, i % 12, 0, 255);
      Path file = dir.resolve("photos").resolve(i % 2 == 0 ? "even" : "odd").resolve(i + ".png");
      Files.createDirectories(file.getParent());
      assertTrue(ImageIO.write(image, "png", file.toFile()));
    }
    Path teacher = Files.createDirectories(dir.resolve("teacher"));
    Files.writeString(teacher.resolve("teacher.json"), """
        {"id": "big", "version": "1", "kind": "oip", "classes": ["even", "odd"], "input": "text", "vectorWidth": 0,
         "files": {}, "options": {"url": "http://127.0.0.1:9", "model": "m"}}
        """);
    // A teacher that reads text: refused before the stack starts, after the folder was read.
    Run run = run("--source", dir.resolve("photos").toString(), "--image-size", "6x8", "--teacher",
        teacher.toString());
    assertEquals(2, run.code(), run.err());
    assertTrue(run.out().contains("photos: 60 examples, images of 6x8"), run.out());
    assertTrue(run.err().contains("reads text, but photos gives vectors of 48 values"), run.err());
  }

  @Test
  void shouldRefuseAFolderOfImagesWithoutClassSubfoldersBeforeTheStackStarts(@TempDir Path dir) throws Exception {
    Path flat = Files.createDirectories(dir.resolve("flat"));
    for (int i = 0; i < 30; i++) {
      assertTrue(ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png",
          flat.resolve(i + ".png").toFile()));
    }
    Run run = run("--source", flat.toString());
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("flat has no labels, and without --teacher the demo trains one on labelled"
        + " examples: in a folder of images, each class's images go in a subfolder of their own"), run.err());
    assertFalse(run.out().contains("Starting the local stack"), run.out());
  }

  @Test
  void shouldDefaultToMailAndExplainTheScenariosInHelp() {
    Run help = run("--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("mail   SpamAssassin") && help.out().contains("--omit-class"), help.out());
    assertTrue(help.out().contains("--source") && help.out().contains("--label-column"), help.out());
    DemoCommand command = new DemoCommand();
    new CommandLine(command).parseArgs();
    assertEquals(Scenario.MAIL, command.settings().scenario());
    assertEquals(6_000, command.settings().events());
  }

  @Test
  void shouldLowerTheFirstVersionsMinimumAndSayWhenNoStudentReachedIt() {
    assertEquals(0.5, DemoCommand.settingsOf("--source", "data/flows.csv").gate().minAgreement());
    assertEquals(0.2, DemoCommand.settingsOf("--source", "data/flows.csv", "--min-agreement", "0.2").gate()
        .minAgreement());
    Run bad = run("--source", "flows.csv", "--min-agreement", "2");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--min-agreement must be in [0, 1]"), bad.err());
    // 40,000 colour digits: a 3072-64-10 MLP student at chance (the pixels' colours are random) after 29,000.
    io.streamdistill.trainer.stream.TrainerStatus refused = new io.streamdistill.trainer.stream.TrainerStatus(
        29_000, 26_000, 3_000, 0, 0, 0, 0, 0, 0, 16, 0.1, 0.1, Double.NaN, java.util.List.of("REJECT after 26,000"
            + " trained: held-out agreement 0.1210 on 2000 (v0 in service: none), prequential 0.1050: first version:"
            + " agreement 0.1210 < minimum 0.5000"), "", 16, java.util.Map.of());
    String why = Demo.whyNothingMore(refused);
    assertTrue(why.contains("agreement 0.1210 < minimum 0.5000") && why.contains("--min-agreement lowers"), why);
    // A small image set of a hard task needed a longer stream (3,000 photos: chance after 7,260 events, 82% after
    // 30,000): the hint names the flag for that too.
    assertTrue(why.contains("--events N replays more"), why);
    io.streamdistill.trainer.stream.TrainerStatus held = new io.streamdistill.trainer.stream.TrainerStatus(
        29_000, 26_000, 3_000, 0, 0, 0, 0, 3, 3, 0, 0.9, 0.9, 0.9, java.util.List.of("HOLD after 26,000 trained:"
            + " agreement 0.91 vs 0.91 in service"), "", 16, java.util.Map.of());
    assertFalse(Demo.whyNothingMore(held).contains("--min-agreement"), Demo.whyNothingMore(held));
  }

  @Test
  void shouldPrintEveryLineOfTheHelpsTextWhole() {
    Run help = run("--help");
    CommandLine.Model.UsageMessageSpec usage = DemoCommand.commandLine().getCommandSpec().usageMessage();
    java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(usage.description()));
    lines.addAll(java.util.List.of(usage.footer()));
    for (String line : lines) {
      // The text as written (100-110 characters a line), not broken again at picocli's default 80.
      String printed = String.format(line).stripTrailing();
      assertTrue(help.out().contains(printed), "broken in --help: " + printed + "\n" + help.out());
    }
  }

  @Test
  void shouldLogAThreadThatDiesRatherThanPrintItsStackTrace() throws Exception {
    java.io.PrintStream before = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    Thread dying = new Thread(() -> {
      throw new IllegalStateException("stream thread failed");
    }, "a-stream-thread");
    dying.setUncaughtExceptionHandler(DemoCommand.uncaughtToLog());
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      dying.start();
      dying.join();
    } finally {
      System.setErr(before);
    }
    // Without a handler the JVM prints "Exception in thread ..." with the stack trace to standard error.
    String printed = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertFalse(printed.contains("Exception in thread"), printed);
  }

  @Test
  void shouldGiveTheSettingsAnInProcessRunUsesAsTheCommandParsesThem() {
    DemoSettings defaults = DemoCommand.settingsOf();
    assertEquals(Scenario.MAIL, defaults.scenario());
    assertEquals(50, defaults.eventsPerSecond());
    assertEquals(Path.of("demo-report"), defaults.out());
    DemoSettings mnist = DemoCommand.settingsOf("mnist", "--events", "700", "--out", "elsewhere");
    assertEquals(Scenario.MNIST, mnist.scenario());
    assertEquals(700, mnist.events());
    assertEquals(Path.of("elsewhere"), mnist.out());
    assertThrows(CommandLine.ParameterException.class, () -> DemoCommand.settingsOf("--rate", "fast"));
  }

  @Test
  void shouldReplayThreePassesByDefaultAndImagesAtLeastTheirFloor() {
    assertEquals(6_000, DemoSettings.defaultEvents(2_000, false));
    assertEquals(DemoSettings.MIN_IMAGE_EVENTS, DemoSettings.defaultEvents(2_000, true), "a small image set");
    assertEquals(36_000, DemoSettings.defaultEvents(12_000, true), "a large one: its three passes");
    assertEquals(DemoSettings.MAX_DEFAULT_EVENTS, DemoSettings.defaultEvents(1_000_000, false),
        "a large file: a sample, so that the run ends in minutes");
    assertEquals(DemoSettings.MAX_DEFAULT_EVENTS, DemoSettings.defaultEvents(Integer.MAX_VALUE, true), "no overflow");
  }

  @Test
  void shouldRunTheUsersFileWithATrainedTeacherAndAnAutoStudentByDefault() {
    DemoCommand command = new DemoCommand();
    new CommandLine(command).parseArgs("--source", "data/flows.csv", "--label-column", "label");
    Scenario scenario = command.settings().scenario();
    assertEquals("flows.csv", scenario.name());
    assertEquals("data/flows.csv", scenario.source());
    assertEquals(null, scenario.teacher(), "no teacher given: one is trained");
    assertEquals("auto", scenario.student());
    assertEquals(0, command.settings().events(), "three passes over the replayed split");
    assertEquals(0, scenario.teacherEpochs(), "train-teacher's default");
    assertEquals(600, scenario.teacherMaxSeconds(), "a big file gets fewer epochs, not hours");
    assertEquals(90, DemoCommand.settingsOf("--source", "data/flows.csv", "--teacher-max-time", "90s").scenario()
        .teacherMaxSeconds());
    assertEquals(0, DemoCommand.settingsOf("--source", "data/flows.csv", "--teacher", "t/").scenario()
        .teacherMaxSeconds(), "a teacher given is not trained");
    assertEquals(4, DemoCommand.settingsOf("--source", "data/flows.csv", "--teacher-epochs", "4").scenario()
        .teacherEpochs());
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cli = DemoCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
