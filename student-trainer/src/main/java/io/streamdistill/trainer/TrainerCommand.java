package io.streamdistill.trainer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.config.ClientOptions;
import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import io.streamdistill.config.OpenMpWaitPolicy;
import io.streamdistill.schemas.Topics;
import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.trainer.model.AlphaFade;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.model.LearnerOptions;
import io.streamdistill.trainer.model.TeacherCombination;
import io.streamdistill.trainer.stream.Compression;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

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

  @Option(names = "--model-name", paramLabel = "NAME",
      description = "Name of the student line on the models topic (its versions' key). Default: the --student name"
          + " (" + DEFAULT_AUTO_MODEL_NAME + " for auto).")
  private String modelName;

  @Option(names = "--keys", defaultValue = "keys", paramLabel = "DIR",
      description = "Directory with " + KeygenCommand.PRIVATE_FILE + " and " + KeygenCommand.PUBLIC_FILE
          + " (./distill keygen). Default: ${DEFAULT-VALUE}.")
  private Path keys;

  @Option(names = "--trust-key", paramLabel = "FILE",
      description = "Another public key whose versions this trainer may resume from (after a key rotation). Repeatable.")
  private List<Path> trustKeys = new ArrayList<>();

  @Option(names = "--temperature", defaultValue = TrainerConfig.DEFAULT_TEMPERATURE, paramLabel = "T",
      description = "Distillation temperature (Hinton et al. used 2-20). Default: ${DEFAULT-VALUE}.")
  private float temperature;

  @Option(names = "--alpha", defaultValue = TrainerConfig.DEFAULT_ALPHA, paramLabel = "A",
      description = "Weight of the soft (teacher) term; 1-A goes to the hard label. Default: ${DEFAULT-VALUE}.")
  private float alpha;

  @Option(names = "--alpha-fade", defaultValue = "none", paramLabel = "FADE",
      description = "How alpha moves towards ground truth as labels accumulate: none; labelled:N:END (linearly to"
          + " END over the first N labelled samples); teacher-error:END (towards END as the teacher's measured"
          + " accuracy on recent labelled samples falls). Default: ${DEFAULT-VALUE}.")
  private String alphaFade;

  @Option(names = "--combine-teachers", defaultValue = "mean", paramLabel = "HOW",
      description = "How several teachers of one event are combined: mean (of probabilities) or confidence"
          + " (each teacher weighted by its top probability for that event). Default: ${DEFAULT-VALUE}.")
  private String combineTeachers;

  @Option(names = "--self-distillation", defaultValue = "0", paramLabel = "W",
      description = "Share of the soft target taken from the version in service (self-distillation), in [0, 1);"
          + " pulls each version towards the last one, which lowers churn. Default: ${DEFAULT-VALUE}.")
  private float selfWeight;

  @Option(names = "--hint-weight", defaultValue = "0", paramLabel = "W",
      description = "Weight of the FitNets hint: the student's hidden layer, through a learned projection, regresses"
          + " the teacher's embedding carried in the soft labels. Needs --hint-width. Default: ${DEFAULT-VALUE}.")
  private float hintWeight;

  @Option(names = "--hint-width", defaultValue = "0", paramLabel = "N",
      description = "Width of the teacher's embedding (384 for the MiniLM mail teacher). Soft labels whose"
          + " embedding has another width are dead-lettered. Default: ${DEFAULT-VALUE}.")
  private int hintWidth;

  @Option(names = "--relational-weight", defaultValue = "0", paramLabel = "W",
      description = "Weight of relational distillation (Park et al. 2019): the student keeps the teacher"
          + " embeddings' pairwise distances and angles within each batch. Default: ${DEFAULT-VALUE}.")
  private float relationalWeight;

  @Option(names = "--auto-tune", negatable = false,
      description = "Choose T and alpha by a grid search (T 1-20, alpha 0.5-1) on the first 2,000 samples and the"
          + " held-out slice; the choice is logged and kept in each version's metrics (and across restarts).")
  private boolean autoTune;

  @Option(names = "--prune", defaultValue = "0", paramLabel = "SPARSITY",
      description = "Magnitude pruning: the share of each weight matrix set to zero, reached gradually while the"
          + " student keeps learning. Default: ${DEFAULT-VALUE} (none).")
  private double pruneSparsity;

  @Option(names = "--prune-from", defaultValue = "0", paramLabel = "N",
      description = "Trained samples before pruning starts. Default: ${DEFAULT-VALUE}.")
  private long pruneFrom;

  @Option(names = "--prune-over", defaultValue = "20000", paramLabel = "N",
      description = "Trained samples over which the pruned share rises to --prune (cubic schedule). Default:"
          + " ${DEFAULT-VALUE}.")
  private long pruneOver;

  @Option(names = "--weights-format", defaultValue = "auto", paramLabel = "FORMAT",
      description = "Weights shipped to the edge: f32-v1, int8-v1 (per-channel int8, about 4x smaller, run as"
          + " int8 by the edge; rows that did not move stay as they were, so a version goes as a small patch), or"
          + " auto: int8-v1 for hashed n-gram students, f32-v1 for the others. Default: ${DEFAULT-VALUE}.")
  private String weightsFormat;

  @Option(names = "--max-compression-loss", defaultValue = "0.01", paramLabel = "SHARE",
      description = "The gate refuses a pruned or int8 candidate whose held-out agreement is lower than its own"
          + " float weights' by more than this. Default: ${DEFAULT-VALUE}.")
  private double maxCompressionLoss;

  @Option(names = "--learning-rate", defaultValue = TrainerConfig.AUTO_LEARNING_RATE, paramLabel = "LR|auto",
      description = "Adam's step size; auto: 0.005 for a network over vectors or fields, 0.01 for hashed n-grams."
          + " Default: ${DEFAULT-VALUE}.")
  private String learningRate;

  @Option(names = "--learning-rate-schedule", defaultValue = TrainerConfig.DEFAULT_SCHEDULE, paramLabel = "SCHEDULE",
      description = "constant, or inverse-sqrt:N (the rate times sqrt(N/(N+trained)), never below a tenth of it)."
          + " Default: ${DEFAULT-VALUE}.")
  private String schedule;

  @Option(names = "--average-weights", defaultValue = TrainerConfig.DEFAULT_AVERAGING, paramLabel = "DECAY",
      description = "Polyak averaging: candidates publish (and are judged by) an exponential moving average of the"
          + " weights with this decay per step; 0 publishes the last weights. Default: ${DEFAULT-VALUE}.")
  private float averaging;

  @Option(names = "--replay", defaultValue = TrainerConfig.DEFAULT_REPLAY, paramLabel = "N",
      description = "A buffer of the last N trained soft labels; each training step is followed by --replay-ratio"
          + " steps on batches drawn from it at random. 0 for none. Default: ${DEFAULT-VALUE}.")
  private int replay;

  @Option(names = "--replay-ratio", defaultValue = TrainerConfig.DEFAULT_REPLAY_RATIO, paramLabel = "R",
      description = "Replayed steps per fresh step (fractions accumulate). Default: ${DEFAULT-VALUE}.")
  private float replayRatio;

  @Option(names = "--idle-replay-ratio", defaultValue = TrainerConfig.DEFAULT_IDLE_REPLAY_RATIO, paramLabel = "R",
      description = "While the trainer has caught up with the stream it keeps learning from the replay buffer, until"
          + " there are R replayed steps per fresh one (the --replay-ratio ones included); then it waits. A trainer"
          + " faster than its stream learns more from each soft label. 0 for none. Default: ${DEFAULT-VALUE}.")
  private float idleReplayRatio;

  @Option(names = "--embedding-optimizer", defaultValue = TrainerConfig.DEFAULT_EMBEDDING_OPTIMIZER,
      paramLabel = "adam|adagrad",
      description = "What updates a hashed n-gram student's embedding table, on the rows a batch holds only: adam"
          + " (lazy, as PyTorch's SparseAdam), or adagrad (rare n-grams take full steps). Default: ${DEFAULT-VALUE}.")
  private String embeddingOptimizer;

  @Option(names = "--embedding-learning-rate", defaultValue = "0", paramLabel = "LR",
      description = "The embedding table's step size; 0 for --learning-rate under adam, 0.1 under adagrad."
          + " Default: ${DEFAULT-VALUE}.")
  private float embeddingLearningRate;

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
      description = "Port of GET /metrics (Prometheus); 0 picks a free one, -1 turns it off. Default: ${DEFAULT-VALUE}.")
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
    StudentSpec studentSpec = auto ? null : StudentPresets.resolve(student);
    String name = modelName != null ? modelName
        : auto ? DEFAULT_AUTO_MODEL_NAME : Path.of(student).getFileName().toString().replaceAll("\\.json$", "");
    KeyPair pair = readKeys(keys);
    List<PublicKey> trusted = trustKeys.stream().map(SigningKeys::readPublic).toList();
    Map<String, Object> clientConfig = client.clientConfig();
    if (auto) {
      // Before the trainer is built: it is then built exactly as for a named student.
      AutoStudent.Choice choice = AutoStudent.resolve(clientConfig, softLabelTopic, modelTopic, name, autoSample, wait);
      studentSpec = choice.spec();
      LOGGER.atInfo().addKeyValue("model", name).addKeyValue("kind", studentSpec.kind())
          .addKeyValue("reason", choice.reason()).log("student chosen");
      out.printf("Student for %s: %s.%n", name, choice.reason());
      out.flush();
    }
    TrainerConfig config = TrainerConfig.builder(name, studentSpec, pair)
        .topics(softLabelTopic, modelTopic, deadLetterTopic)
        .method(new DistillationMethod(temperature, alpha, AlphaFade.parse(alphaFade),
            TeacherCombination.parse(combineTeachers), selfWeight, hintWeight, hintWidth, relationalWeight, autoTune))
        .compression(new Compression(pruneSparsity, pruneFrom, pruneOver, int8(weightsFormat, studentSpec),
            maxCompressionLoss))
        .learning(new LearnerOptions(learningRate(studentSpec), LearnerOptions.Schedule.parse(schedule), averaging,
            replay, replayRatio, idleReplayRatio, embeddingOptimizer, embeddingLearningRate))
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

  private static boolean int8(String format, StudentSpec spec) {
    if (format.equals("auto")) {
      return Compression.defaultFor(spec).int8();
    }
    if (format.equals(QuantizedWeights.INT8_V1)) {
      return true;
    }
    if (format.equals(StudentWeights.F32_V1)) {
      return false;
    }
    throw new IllegalArgumentException("--weights-format must be auto, " + StudentWeights.F32_V1 + " or "
        + QuantizedWeights.INT8_V1 + ", got " + format);
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

  /** {@code --learning-rate}: a positive number, or auto for the student's kind. */
  private float learningRate(StudentSpec studentSpec) {
    if (learningRate.trim().equalsIgnoreCase(TrainerConfig.AUTO_LEARNING_RATE)) {
      return TrainerConfig.defaultLearningRate(studentSpec);
    }
    try {
      return Float.parseFloat(learningRate.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--learning-rate must be a positive number or auto, not '" + learningRate
          + "'");
    }
  }

}
