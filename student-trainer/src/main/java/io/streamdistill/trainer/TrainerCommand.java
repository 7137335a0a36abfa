package io.streamdistill.trainer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.config.ClientOptions;
import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import io.streamdistill.config.OpenMpWaitPolicy;
import io.streamdistill.schemas.Topics;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.stream.DeadLetterLimits;
import io.streamdistill.trainer.stream.OnlineTrainer;
import io.streamdistill.trainer.stream.VersionGate;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./distill train}: the online distillation trainer, until stopped. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    version = "stream-distill student-trainer 0.1.0",
    sortOptions = false,
    description = {
      "Trains a student online from soft labels: loss = a*T^2*KL(teacher_T || student_T) + (1-a)*CE(y, student),",
      "with y the ground truth when the event has one, else the teacher's arg max. Each batch is scored before",
      "it is learned (prequential); a slice of events (by id hash) is never trained on. Every N samples or T",
      "seconds the student becomes a candidate, and is published (signed, with the consumed offsets, in one",
      "Kafka transaction) only if on the held-out slice it is not worse than the version in service by more",
      "than the tolerance. After a crash it resumes from the last published version and its offsets.",
      ""
    },
    footer = {
      "",
      "Students (--student):",
      "%s",
      "",
      "Exit codes: 0 stopped cleanly, 1 failed, 2 bad arguments.",
      "Example: ./distill keygen && ./distill train   (picks the student from the soft labels)",
      "         ./distill train --student mnist-800 --temperature 20"
    })
public final class TrainerCommand implements Callable<Integer> {
  private static final Logger LOGGER = LoggerFactory.getLogger(TrainerCommand.class);
  /** The model name of an auto-picked student when none is given. */
  static final String DEFAULT_AUTO_MODEL_NAME = "student";

  @Spec
  private CommandSpec spec;

  @Mixin
  private ClientOptions client;

  @Option(names = "--student", defaultValue = AutoStudent.NAME, paramLabel = "auto|NAME|FILE.json",
      description = "The student to train: auto (picked from the soft labels, below), a preset or a JSON spec file."
          + " Default: ${DEFAULT-VALUE}.")
  private String student;

  @Option(names = "--auto-sample", defaultValue = "" + AutoStudent.DEFAULT_SAMPLE, paramLabel = "N",
      description = "--student auto: soft labels read to pick the student. Default: ${DEFAULT-VALUE}.")
  private int autoSample;

  @Option(names = "--auto-wait", defaultValue = AutoStudent.DEFAULT_WAIT, paramLabel = "DURATION",
      description = "--student auto: how long to read them; then it picks from those there are (waiting for the"
          + " first however long it takes). Default: ${DEFAULT-VALUE}.")
  private String autoWait;

  @Option(names = "--image-shape", paramLabel = "ROWSxCOLS[xCHANNELS]",
      description = "--student auto: the vectors are images of this shape (e.g. 28x28, 32x32x3: planes of rows, as"
          + " produce and train-teacher read them): a cnn student is picked for them. Default: the shape the events"
          + " announce (their image-shape attribute, which produce sets for images), else none (an MLP).")
  private String imageShape;

  @Option(names = "--model-name", paramLabel = "NAME",
      description = "Name of the student line on the models topic (its versions' key). Default: the --student name"
          + " (" + DEFAULT_AUTO_MODEL_NAME + " for auto).")
  private String modelName;

  @Option(names = "--keys", defaultValue = "keys", paramLabel = "DIR",
      description = "Directory with " + KeygenCommand.PRIVATE_FILE + " and " + KeygenCommand.PUBLIC_FILE
          + " (./distill keygen). Default: ${DEFAULT-VALUE}.")
  private Path keys;

  @Option(names = "--trust-key", paramLabel = "FILE",
      description = "Another public key whose versions this trainer may resume from (after a key rotation)."
          + " Repeatable.")
  private List<Path> trustKeys = new ArrayList<>();

  @Mixin
  private DistillationOptions distillation;

  @Mixin
  private CompressionOptions compression;

  @Mixin
  private LearningOptions learning;

  @Option(names = "--batch-size", defaultValue = "" + TrainerConfig.DEFAULT_BATCH_SIZE, paramLabel = "N",
      description = "Samples per training step. Default: ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(names = "--publish-every", defaultValue = "20000", paramLabel = "N",
      description = "Offer a candidate every N soft labels read... Default: ${DEFAULT-VALUE}.")
  private long publishEvery;

  @Option(names = "--publish-interval", defaultValue = "30s", paramLabel = "DURATION",
      description = "...or every this long, whichever comes first. Default: ${DEFAULT-VALUE}.")
  private String publishInterval;

  @Option(names = "--held-out-percent", defaultValue = "10", paramLabel = "P",
      description = "Share of events (by id hash) never trained on, for the gate. Default: ${DEFAULT-VALUE}.")
  private double heldOutPercent;

  @Option(names = "--held-out-window", defaultValue = "2000", paramLabel = "N",
      description = "Candidates are compared on the last N held-out samples. Default: ${DEFAULT-VALUE}.")
  private int heldOutWindow;

  @Option(names = "--min-agreement", defaultValue = VersionGate.DEFAULT_MIN_AGREEMENT, paramLabel = "SHARE",
      description = "Held-out agreement with the teacher the first version needs. Default: ${DEFAULT-VALUE}.")
  private double minAgreement;

  @Option(names = "--tolerance", defaultValue = VersionGate.DEFAULT_TOLERANCE, paramLabel = "SHARE",
      description = "How much worse than the version in service a candidate may be. Default: ${DEFAULT-VALUE}.")
  private double tolerance;

  @Mixin
  private PublishingPace pace = new PublishingPace();

  @Option(names = "--restart-after-rejections", defaultValue = "1", paramLabel = "N",
      description = "After N candidates in a row were refused, the learner starts again from the version in"
          + " service (its weights, a fresh optimizer), dropping what it learned since; 0 never."
          + " Default: ${DEFAULT-VALUE}.")
  private int restartAfterRejections;

  @Option(names = "--full-version-every", defaultValue = TrainerConfig.DEFAULT_FULL_VERSION_EVERY, paramLabel = "N",
      description = "Every Nth version is published whole; those between go as patches to their parent (only the"
          + " weights that changed: with int8-v1, a fraction of the bytes), when that is under 90%% of the weights."
          + " Edge nodes rebuild and verify them; a node that missed the parent waits for the next whole one."
          + " 1: every version whole. Default: ${DEFAULT-VALUE}.")
  private int fullVersionEvery;

  @Option(names = "--cascade-agreement", defaultValue = TrainerConfig.DEFAULT_CASCADE_AGREEMENT, paramLabel = "SHARE",
      description = "Each version is calibrated for the edge's cascade: the lowest confidence from which its answers on"
          + " the held-out window agree with the teacher's at least this often goes into its signed metrics"
          + " (cascade.threshold, with cascade.coverage: the share it would answer alone). Edge nodes with"
          + " --cascade-threshold calibrated answer alone from there. Default: ${DEFAULT-VALUE}.")
  private double cascadeAgreement;

  @Option(names = "--dead-letters-max-waiting", defaultValue = DeadLetterLimits.DEFAULT_MAX_RECORDS, paramLabel = "N",
      description = "Bad soft labels wait for the next version's transaction, at most N of them: then they are"
          + " written on their own (with the offsets they cover, so none is written twice). Default: ${DEFAULT-VALUE}.")
  private int deadLettersMaxWaiting;

  @Option(names = "--dead-letters-max-wait", defaultValue = DeadLetterLimits.DEFAULT_MAX_WAIT, paramLabel = "DURATION",
      description = "...or once the oldest waited this long. Default: ${DEFAULT-VALUE}.")
  private String deadLettersMaxWait;

  @Option(names = "--min-held-out", defaultValue = VersionGate.DEFAULT_MIN_HELD_OUT, paramLabel = "N",
      description = "Held-out samples needed before any candidate is judged. Default: ${DEFAULT-VALUE}.")
  private int minHeldOut;

  @Option(names = "--teacher", paramLabel = "ID",
      description = "Learn only from these teacher ids (repeatable); others are dead-lettered. Default: any teacher.")
  private List<String> knownTeachers = new ArrayList<>();

  @Option(names = "--soft-label-topic", defaultValue = Topics.SOFT_LABELS, paramLabel = "TOPIC",
      description = "Default: ${DEFAULT-VALUE}.")
  private String softLabelTopic;

  @Option(names = "--model-topic", defaultValue = Topics.STUDENT_MODELS, paramLabel = "TOPIC",
      description = "Default: ${DEFAULT-VALUE}.")
  private String modelTopic;

  @Option(names = "--dead-letter-topic", defaultValue = Topics.DEAD_LETTERS, paramLabel = "TOPIC",
      description = "Default: ${DEFAULT-VALUE}.")
  private String deadLetterTopic;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
      description = "Seed of the initial weights. Default: ${DEFAULT-VALUE}.")
  private long seed;

  @Option(names = "--torch-threads", defaultValue = "1", paramLabel = "N",
      description = "PyTorch's intra-op threads. One leaves a core to the soft-label reader (Avro decoding) and"
          + " the Kafka clients, which measured faster end to end on 2 cores than PyTorch's default of one per"
          + " core. Default: ${DEFAULT-VALUE}.")
  private int torchThreads;

  @Option(names = "--metrics-port", defaultValue = "8092", paramLabel = "PORT",
      description = "Port of GET /metrics (Prometheus); 0 picks a free one, -1 turns it off."
          + " Default: ${DEFAULT-VALUE}.")
  private int metricsPort;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine commandLine = Commands.withExitCodes(new TrainerCommand(), "train");
    String[] footer = commandLine.getCommandSpec().usageMessage().footer();
    for (int i = 0; i < footer.length; i++) {
      footer[i] = footer[i].replace("%s", StudentPresets.describe());
    }
    commandLine.getCommandSpec().usageMessage().footer(footer);
    return commandLine;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    OpenMpWaitPolicy.warnIfSpinning(LOGGER);
    if (torchThreads < 1) {
      throw new IllegalArgumentException("--torch-threads must be at least 1");
    }
    // Read by DJL when the PyTorch engine loads, which is when the first learner is made.
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
    boolean auto = AutoStudent.NAME.equals(student);
    if (auto && autoSample < 1) {
      throw new IllegalArgumentException("--auto-sample must be at least 1, got " + autoSample);
    }
    Duration wait = Durations.parse("--auto-wait", autoWait);
    ImageShape image = imageShape == null ? null : ImageShape.parse("--image-shape", imageShape);
    if (image != null && !auto) {
      throw new IllegalArgumentException("--image-shape is for --student auto; the student " + student
          + " has its own input");
    }
    StudentSpec studentSpec = auto ? null : StudentPresets.resolve(student);
    String name = modelName != null ? modelName
        : auto ? DEFAULT_AUTO_MODEL_NAME : Path.of(student).getFileName().toString().replaceAll("\\.json$", "");
    KeyPair pair = readKeys(keys);
    List<PublicKey> trusted = trustKeys.stream().map(SigningKeys::readPublic).toList();
    Map<String, Object> clientConfig = client.clientConfig();
    if (auto) {
      // Before the trainer is built: it is then built exactly as for a named student.
      AutoStudent.Choice choice = AutoStudent.resolve(clientConfig, softLabelTopic, modelTopic, name, autoSample, wait,
          image, () -> null);
      studentSpec = choice.spec();
      LOGGER.atInfo().addKeyValue("model", name).addKeyValue("kind", studentSpec.kind())
          .addKeyValue("reason", choice.reason()).log("student chosen");
      out.printf("Student for %s: %s.%n", name, choice.reason());
      out.flush();
    }
    TrainerConfig config = TrainerConfig.builder(name, studentSpec, pair)
        .topics(softLabelTopic, modelTopic, deadLetterTopic)
        .method(distillation.method())
        .compression(compression.compression(studentSpec))
        .learning(learning.options(studentSpec))
        .batchSize(batchSize)
        .publishEvery(publishEvery, Durations.parse("--publish-interval", publishInterval))
        .heldOut(heldOutPercent, heldOutWindow)
        .gate(pace.applyTo(new VersionGate(minAgreement, tolerance, minHeldOut)))
        .restartAfterRejections(restartAfterRejections)
        .fullVersionEvery(fullVersionEvery)
        .cascadeAgreement(cascadeAgreement)
        .deadLetterLimits(new DeadLetterLimits(deadLettersMaxWaiting, DeadLetterLimits.DEFAULT_MAX_BYTES,
            Durations.parse("--dead-letters-max-wait", deadLettersMaxWait)))
        .knownTeachers(Set.copyOf(knownTeachers))
        .trustedKeys(trusted)
        .seed(seed)
        .build();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OnlineTrainer trainer = new OnlineTrainer(config, clientConfig, metrics, version -> { });
    MetricsServer http = metricsPort < 0 ? null : new MetricsServer(metricsPort, metrics);
    // The hook waits for the loop to finish its transaction, not for the main thread: after the loop
    // the main thread calls System.exit, which waits for this hook (joining it would wait 60 s).
    CountDownLatch stopped = new CountDownLatch(1);
    Thread shutdown = new Thread(() -> {
      LOGGER.info("trainer stopping");
      trainer.close();
      try {
        stopped.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "trainer-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    LOGGER.atInfo().addKeyValue("model", name).addKeyValue("spec", studentSpec.toJson())
        .addKeyValue("keyId", SigningKeys.keyId(pair.getPublic()))
        .addKeyValue("metricsPort", http == null ? -1 : http.port())
        .addKeyValue("client", ClientOptions.masked(clientConfig)).log("trainer starting");
    out.printf("Trainer for %s (%s, %,d parameters): %s -> %s. Ctrl-C to stop.%n", name, studentSpec.kind(),
        studentSpec.parameterCount(), softLabelTopic, modelTopic);
    out.flush();
    try {
      trainer.run();
    } finally {
      stopped.countDown();
      if (http != null) {
        http.close();
      }
    }
    return 0;
  }

  private static KeyPair readKeys(Path dir) {
    Path privateFile = dir.resolve(KeygenCommand.PRIVATE_FILE);
    Path publicFile = dir.resolve(KeygenCommand.PUBLIC_FILE);
    if (!Files.isRegularFile(privateFile) || !Files.isRegularFile(publicFile)) {
      throw new IllegalArgumentException("no signing key in " + dir.toAbsolutePath() + " (" + KeygenCommand.PRIVATE_FILE
          + ", " + KeygenCommand.PUBLIC_FILE + "): run ./distill keygen --out " + dir + " first, or give --keys DIR");
    }
    KeyPair pair = new KeyPair(SigningKeys.readPublic(publicFile), SigningKeys.readPrivate(privateFile));
    if (!SigningKeys.matches(pair)) {
      throw new IllegalArgumentException(publicFile + " is not the public key of " + privateFile
          + ": edge nodes would reject every version");
    }
    return pair;
  }
}
