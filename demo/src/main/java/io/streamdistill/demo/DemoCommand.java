package io.streamdistill.demo;

import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.schemas.Topics;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.teacher.training.TeacherTraining;
import io.streamdistill.trainer.PublishingPace;
import io.streamdistill.trainer.stream.VersionGate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./distill demo}: the whole loop on the local stack, with a live progress line and a report. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    version = "stream-distill demo 0.1.0",
    sortOptions = false,
    description = {
      "Runs the whole loop on a local stack it starts (a real Kafka broker and schema registry): a producer",
      "replays a data set, the teacher service labels it, the trainer learns and publishes signed versions, an",
      "edge node hot-swaps them and answers a stream of requests with the cascade to the teacher on. Prints one",
      "progress line a second; at the end writes a report (index.html with charts, report.json).",
      "Ctrl-C stops early, still writes the report, and leaves no process behind.",
      ""
    },
    footer = {
      "",
      "Your data: --source FILE (CSV with or without a header, JSON Lines, IDX images with --idx-labels) and the",
      "  column options of ./distill produce (none: guessed from the first rows, and said), or --source FOLDER",
      "  with one subfolder per class of images or of text files. Examples are split by a hash of their id:",
      "  80%% replayed, 20%% held out as the edge's requests. Without --teacher, a teacher is trained on the",
      "  labelled file first",
      "  (./distill train-teacher's path, cached); the trainer picks a student for the payload unless --student.",
      "",
      "Presets (no --source):",
      "  mail   SpamAssassin mails (train split replayed, test split as requests), MiniLM teacher,",
      "         hashed n-gram student (the default)",
      "  mnist  MNIST digits (training images replayed, test images as requests), Hinton's 1200-1200",
      "         teacher, 784-64-10 student; --omit-class 3 holds the 3s back until 70%% of the replay",
      "",
      "The first run on a machine also trains the teacher (mnist: about 6 min; mail: about 2 min), once.",
      "Exit codes: 0 done, 1 failed, 2 bad arguments.",
      "Examples: ./distill demo mnist --events 20000 --rate 500",
      "          ./distill demo --source flows.csv --no-header --columns-file names.txt --label-column label"
          + " --fields-all",
      "          ./distill demo --source requests.csv --text-column text --label-column label --teacher my-teacher/"
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "mail|mnist",
      description = "A preset, when no --source is given. Default: mail.")
  private String scenario;

  @Option(names = "--source", paramLabel = "FILE|FOLDER",
      description = "Your own data: a CSV, JSON Lines or IDX file (the column options below say how to read it;"
          + " without them the payload and the label are guessed from the first rows), or a folder with one"
          + " subfolder per class of images (--image-size, --image-color) or of text files (each file one text).")
  private String source;

  @Option(names = "--test-source", paramLabel = "FILE|FOLDER",
      description = "With --source: your own held-out examples (test.csv, aclImdb/test/), read with the same column"
          + " options: the edge is asked these, and the whole --source is replayed. Default: 20%% of --source, by a"
          + " hash of each example's id.")
  private String testSource;

  @Option(names = "--teacher", paramLabel = "DIR",
      description = "With --source: a teacher directory (teacher.json and its files; `./distill import-teacher DIR`"
          + " makes one of your exported or served model), or mnist, mail. Default: a teacher trained on the labelled"
          + " file (cached).")
  private String teacher;

  @Option(names = "--teacher-epochs", paramLabel = "N",
      description = "With --source and no --teacher: epochs of the teacher trained on the file (fewer: sooner, and"
          + " usually a weaker teacher). Default: train-teacher's (" + TeacherTraining.Options.DEFAULT_EPOCHS
          + "). For other choices, train one with `distill train-teacher` and pass --teacher DIR.")
  private Integer teacherEpochs;

  /** How long the teacher the demo trains may train by default: a big data set gets fewer epochs, not hours. */
  static final String DEFAULT_TEACHER_MAX_TIME = "10m";

  @Option(names = "--teacher-max-time", paramLabel = "DURATION",
      description = "With --source and no --teacher: the teacher trained on the file stops adding epochs that would"
          + " not end within this long (vectors, images and records); a text teacher learns from the random share of"
          + " the texts its encoder can read in it. Default: " + DEFAULT_TEACHER_MAX_TIME + ".")
  private String teacherMaxTime;

  @Option(names = "--student", paramLabel = "NAME|FILE|auto",
      description = "With --source: the student (mnist-800, mnist-64, mail-ngram, a JSON spec file) or auto."
          + " Default: auto (the trainer picks one for the payload and says which: a cnn for images).")
  private String student;

  @Mixin
  private SourceOptions sourceOptions = new SourceOptions();

  @Option(names = "--events", paramLabel = "N",
      description = "Input events to replay. Default: mail 6000 (the train split about 1.4 times), mnist 20000,"
          + " your file: three passes over its replayed split (images: at least "
          + DemoSettings.MIN_IMAGE_EVENTS + ", as a convolutional student needs more), "
          + DemoSettings.MAX_DEFAULT_EVENTS + " at most (a large file's shuffled sample).")
  private Integer events;

  @Option(names = "--rate", paramLabel = "PER_SECOND",
      description = "Replay rate. Default: mail 50 (about the MiniLM teacher's pace on 2 cores), mnist 500, your"
          + " file 200.")
  private Double rate;

  @Option(names = "--omit-class", paramLabel = "DIGIT",
      description = "Hold this class back until 70%% of the replay (Hinton's omitted 3 with mnist).")
  private String omitClass;

  @Option(names = "--requests-per-second", paramLabel = "N",
      description = "Requests the edge node answers per second (its unsure ones also go to the teacher, twice:"
          + " as the cascade and as events to label). Default: mail 20, mnist 50, your file 20.")
  private Double requestsPerSecond;

  @Option(names = "--cascade-threshold", defaultValue = EdgeConfig.CALIBRATED, paramLabel = "calibrated|P",
      description = "Below this student confidence the edge asks the teacher: 'calibrated' (each version's own"
          + " threshold, from the trainer's held-out traffic) or a probability P. Default: ${DEFAULT-VALUE}.")
  private String cascadeThreshold;

  @Option(names = "--publish-every", defaultValue = "2000", paramLabel = "N",
      description = "A candidate version every N soft labels... Default: ${DEFAULT-VALUE}.")
  private long publishEvery;

  @Option(names = "--publish-interval", defaultValue = "15s", paramLabel = "DURATION",
      description = "...or this often. Default: ${DEFAULT-VALUE}.")
  private String publishInterval;

  @Mixin
  private PublishingPace pace = new PublishingPace();

  @Option(names = "--min-agreement", paramLabel = "SHARE", defaultValue = VersionGate.DEFAULT_MIN_AGREEMENT,
      description = "Held-out agreement with the teacher the first version needs. On hard data a small student may"
          + " agree less often and still answer a share alone: the cascade lets it only where its confidence was"
          + " calibrated to agree. Default: ${DEFAULT-VALUE}.")
  private double minAgreement = Double.parseDouble(VersionGate.DEFAULT_MIN_AGREEMENT);

  @Option(names = "--max-duration", defaultValue = "15m", paramLabel = "DURATION",
      description = "Stop the loop after this long whatever happened, counted from when the teacher is ready (a"
          + " teacher trained for the run has --teacher-max-time). Default: ${DEFAULT-VALUE}.")
  private String maxDuration;

  @Option(names = "--out", defaultValue = "demo-report", paramLabel = "DIR",
      description = "The report folder. Default: ${DEFAULT-VALUE}.")
  private Path out;

  /** The services' log, in the report directory: the terminal keeps the progress line and the milestones. */
  static final String LOG_FILE = "demo.log";
  public static void main(String[] args) {
    logToFile(args);
    if (System.getProperty(LOG_FILE_PROPERTY) != null) {
      // A service thread that dies (a Kafka Streams thread that is then replaced) goes to the log, not as a stack
      // trace between the progress lines.
      Thread.setDefaultUncaughtExceptionHandler(uncaughtToLog());
    }
    System.exit(commandLine().execute(args));
  }

  /** Logs a thread's uncaught exception at ERROR (to the log file once {@link #logToFile} chose one). */
  static Thread.UncaughtExceptionHandler uncaughtToLog() {
    return (thread, e) -> org.slf4j.LoggerFactory.getLogger(DemoCommand.class).atError().setCause(e)
        .addKeyValue("thread", thread.getName()).log("thread died on an uncaught exception");
  }

  /**
   * Sends every service's log (the broker's and the registry's have files of their own already) to
   * {@value #LOG_FILE} in the report directory, before any logger exists; not for {@code --help}, and
   * not when the caller chose a log file ({@code -Dorg.slf4j.simpleLogger.logFile=System.err} keeps the
   * old behaviour).
   */
  static void logToFile(String[] args) {
    List<String> given = List.of(args);
    if (given.contains("--help") || given.contains("-h") || System.getProperty(LOG_FILE_PROPERTY) != null) {
      return;
    }
    Path out = Path.of("demo-report");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out") && i + 1 < args.length) {
        out = Path.of(args[i + 1]);
      } else if (args[i].startsWith("--out=")) {
        out = Path.of(args[i].substring("--out=".length()));
      }
    }
    try {
      Files.createDirectories(out);
      System.setProperty(LOG_FILE_PROPERTY, out.resolve(LOG_FILE).toString());
    } catch (IOException | RuntimeException e) {
      // The log stays on the terminal; the run itself says what is wrong with the directory.
    }
  }

  private static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

  public static CommandLine commandLine() {
    return Commands.withExitCodes(new DemoCommand(), "demo");
  }

  /**
   * The settings {@code ./distill demo ARGS} runs with, for running the demo in process (a benchmark of the default
   * demo passes none). IllegalArgumentException or picocli's ParameterException names a bad argument.
   */
  public static DemoSettings settingsOf(String... args) {
    CommandLine line = commandLine();
    line.parseArgs(args);
    return ((DemoCommand) line.getCommand()).settings();
  }

  /** The settings the arguments ask for (validated: IllegalArgumentException names the bad one). */
  DemoSettings settings() {
    Scenario parsed;
    if (source != null) {
      if (scenario != null) {
        throw new IllegalArgumentException("give either a preset (" + scenario + ") or --source FILE, not both");
      }
      if (teacherEpochs != null && teacherEpochs < 1) {
        throw new IllegalArgumentException("--teacher-epochs must be at least 1, not " + teacherEpochs);
      }
      parsed = Scenario.ofFile(source, teacher, student).withTeacherEpochs(teacherEpochs == null ? 0 : teacherEpochs)
          .withRequestSource(testSource);
      if (teacherMaxTime != null || teacher == null) {
        parsed = parsed.withTeacherMaxSeconds(Durations.parseSeconds("--teacher-max-time",
            teacherMaxTime == null ? DEFAULT_TEACHER_MAX_TIME : teacherMaxTime));
      }
    } else {
      if (teacher != null || student != null || teacherEpochs != null || teacherMaxTime != null
          || testSource != null) {
        throw new IllegalArgumentException("--teacher, --teacher-epochs, --teacher-max-time, --student and"
            + " --test-source go with --source FILE; the presets fix the data, the teacher and the student");
      }
      parsed = Scenario.preset(scenario == null ? "mail" : scenario);
    }
    boolean mail = parsed.equals(Scenario.MAIL);
    boolean mnist = parsed.equals(Scenario.MNIST);
    return new DemoSettings(parsed, events != null ? events : mail ? 6_000 : mnist ? 20_000 : 0,
        rate != null ? rate : mail ? 50 : mnist ? 500 : 200, omitClass,
        requestsPerSecond != null ? requestsPerSecond : mnist ? 50 : 20,
        EdgeConfig.parseCascadeThreshold(cascadeThreshold), publishEvery,
        Durations.parse("--publish-interval", publishInterval),
        pace.applyTo(DemoSettings.GATE.withMinAgreement(minAgreement)),
        out, Durations.parse("--max-duration", maxDuration));
  }

  @Override
  public Integer call() throws Exception {
    DemoSettings settings = settings();
    // A missing file is said now, not after the stack has started.
    SourceOptions.requireExists(settings.scenario().source());
    if (settings.scenario().requestSource() != null) {
      SourceOptions.requireExists(settings.scenario().requestSource());
    }
    PrintWriter printer = spec.commandLine().getOut();
    Demo demo = new Demo(settings, sourceOptions);
    Consumer<String> progress = line -> {
      printer.println(line);
      printer.flush();
    };
    // The data first: a mistake in the file or its column options is said before anything slow starts (and
    // before the log file is named, which it would not concern).
    demo.openData(progress);
    String logFile = System.getProperty(LOG_FILE_PROPERTY);
    if (logFile != null && !logFile.startsWith("System.")) {
      printer.printf("Service logs: %s%n", Path.of(logFile).toAbsolutePath());
    }
    printer.printf("Starting the local stack (a Kafka broker and a schema registry)...%n");
    printer.flush();
    CountDownLatch finished = new CountDownLatch(1);
    Thread thread = Thread.currentThread();
    Thread hook = new Thread(() -> {
      demo.stop();
      try {
        // Let the run write its report and close the stack before the JVM goes.
        finished.await();
      } catch (InterruptedException e) {
        thread.interrupt();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (LocalStack stack = LocalStack.builder().start()) {
      DemoReport report = demo.run(stack, progress);
      double[] ending = report.ending(DemoReport.ENDING);
      String unlabelled = report.agreementWithoutLabels();
      // Without labels there is no accuracy to state: the agreement line below says how the edge did.
      printer.printf(Locale.ROOT, "%nDone in %.0f s. %,d events, %d version%s; the edge answered %,d requests, %s"
              + " by the student alone%s.%n",
          report.seconds(), report.produced(), report.versions().size(), report.versions().size() == 1 ? "" : "s",
          report.answered(), percent(report.studentAloneShare()), unlabelled != null ? ""
              : String.format(Locale.ROOT, ", accuracy %s (the student's lone answers %s, the teacher's %s)",
                  percent(report.edgeAccuracy()), percent(report.studentAloneAccuracy()),
                  percent(report.teacherAnswerAccuracy())));
      if (unlabelled == null) {
        printer.printf(Locale.ROOT, "The teacher alone on the same requests: %s. The last third of them (%,.0f): %s"
                + " by the student alone, accuracy %s (the teacher alone: %s).%n",
            percent(report.teacherAloneAccuracy()), ending[0], percent(ending[1]), percent(ending[2]),
            percent(report.teacherAloneEndingAccuracy()));
      } else {
        printer.printf(Locale.ROOT, "%s The last third of them (%,.0f): %s by the student alone.%n", unlabelled,
            ending[0], percent(ending[1]));
      }
      if (!report.versions().isEmpty()) {
        DemoReport.Version last = report.versions().get(report.versions().size() - 1);
        // A remote teacher's directory states no test accuracy: "not stated", not NaN.
        printer.printf(Locale.ROOT, "Teacher %s: test accuracy %s. Last student v%d: held-out agreement with the"
                + " teacher %s, held-out accuracy %s (on replayed examples, which the teacher may have been trained"
                + " on; the edge's figures above are on requests nothing was trained on), %,d bytes.%n",
            report.teacher(),
            Double.isNaN(report.teacherTestAccuracy()) ? "not stated by its directory"
                : percent(report.teacherTestAccuracy()), last.version(), percent(last.heldOutAgreement()),
            percent(last.heldOutAccuracy()), report.versionBytes());
        double kbit = report.edgeVersionKbitPerSecond();
        printer.printf(Locale.ROOT, "Versions cost the edge node %,d bytes from the models topic: %s kbit/s over the"
            + " run (%.1f MB/h).%n", report.edgeVersionBytesRead(),
            String.format(Locale.ROOT, kbit < 10 ? "%.2f" : "%.0f", kbit),
            report.edgeVersionBytesRead() / 1e6 * 3600 / report.seconds());
      }
      for (String problem : report.problems().lines()) {
        printer.printf("Note: %s%n", problem);
      }
      if (report.problems().inputsDeadLettered() + report.problems().softLabelsDeadLettered() > 0) {
        printer.printf("The dead letters are on %s with their original bytes and reason.%n", Topics.DEAD_LETTERS);
      }
      if (demo.unsettled() != null) {
        printer.printf("The loop did not settle: %s%n", demo.unsettled());
      }
      printer.printf("Report: %s%n", settings.out().resolve("index.html").toAbsolutePath());
      if (logFile != null && !logFile.startsWith("System.")) {
        printer.printf("Service logs: %s%n", Path.of(logFile).toAbsolutePath());
      }
      printer.flush();
      // No student came out of the run (and it was not stopped early): a failure, for scripts too.
      return report.versions().isEmpty() && demo.unsettled() != null ? 1 : 0;
    } finally {
      finished.countDown();
    }
  }

  /** A share as a percentage, or n/a when there is none (no request answered, no label known). */
  static String percent(double share) {
    return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }
}
