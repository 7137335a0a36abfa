package io.streamdistill.teacher;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.config.ClientOptions;
import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import io.streamdistill.config.OpenMpWaitPolicy;
import io.streamdistill.schemas.Topics;
import io.streamdistill.teacher.http.InferenceServer;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.streams.LabellingConfig;
import io.streamdistill.teacher.streams.LoadControl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./distill teacher}: runs the teacher service until stopped. */
@Command(
    name = "teacher",
    mixinStandardHelpOptions = true,
    version = "stream-distill teacher-service 0.1.0",
    sortOptions = false,
    description = {
      "Labels input events with one or more teachers (an ensemble: each event gets every teacher's logits)",
      "and publishes soft labels, exactly once (Kafka Streams, exactly_once_v2), in micro-batches (one model",
      "call per batch). Bad input goes to the dead-letter topic with the reason and the original bytes.",
      "Also answers POST /predict (the edge's fallback), the Open Inference Protocol (KServe v2: /v2/models/NAME,",
      "/v2/models/NAME/infer, /v2/health/ready), GET /health and GET /metrics over HTTP.",
      ""
    },
    footer = {
      "",
      "Teachers (--teacher, repeatable):",
      "  mnist   the project's MNIST teacher (784-1200-1200-10, dropout, jitter); trained on first use and cached",
      "  mail    the mail teacher (MiniLM-L6 int8 encoder + logistic head on SpamAssassin); trained and cached",
      "  DIR     a directory with teacher.json and the files it lists (sha256-verified): one that",
      "          ./distill train-teacher wrote (kind dense-mlp, or a text encoder + head), an exported text",
      "          classifier (model.onnx + tokenizer.json + config.json, kind onnx-text), your TorchScript or",
      "          ONNX vector model (kinds torchscript, onnx), or a model behind an inference server speaking",
      "          the Open Inference Protocol (kind oip: Triton, KServe, MLServer, another teacher service)",
      "          or the v1 predict protocol (kind v1: TensorFlow Serving, KServe v1, MLflow), or a text",
      "          classifier served the HuggingFace way (kind hf: Text Embeddings Inference, Inference Endpoints).",
      "          ./distill import-teacher DIR writes teacher.json for each of them.",
      "          Teachers of different kinds mix in one ensemble. See README.",
      "",
      "Exit codes: 0 stopped cleanly, 1 failed, 2 bad arguments.",
      "Example: ./distill teacher --teacher mnist --batch-size 64 --max-wait 50ms --http-port 8090"
    })
public final class TeacherServiceCommand implements Callable<Integer> {
  private static final Logger LOGGER = LoggerFactory.getLogger(TeacherServiceCommand.class);

  @Spec
  private CommandSpec spec;

  @Mixin
  private ClientOptions client;

  @Option(names = "--teacher", required = true, paramLabel = "mnist|mail|DIR",
      description = "A teacher to label with: mnist, mail, or a directory (`./distill train-teacher` or `./distill"
          + " import-teacher` makes one). Repeatable for an ensemble; all must share their classes.")
  private List<String> teacherNames;

  @Option(names = "--application-id", defaultValue = TeacherService.Settings.DEFAULT_APPLICATION_ID, paramLabel = "ID",
      description = "Kafka Streams application id (consumer group, state). Default: ${DEFAULT-VALUE}.")
  private String applicationId;

  @Option(names = "--input-topic", defaultValue = Topics.INPUT_EVENTS, paramLabel = "TOPIC",
      description = "Default: ${DEFAULT-VALUE}.")
  private String inputTopic;

  @Option(names = "--soft-label-topic", defaultValue = Topics.SOFT_LABELS, paramLabel = "TOPIC",
      description = "Default: ${DEFAULT-VALUE}.")
  private String softLabelTopic;

  @Option(names = "--dead-letter-topic", defaultValue = Topics.DEAD_LETTERS, paramLabel = "TOPIC",
      description = "Default: ${DEFAULT-VALUE}.")
  private String deadLetterTopic;

  @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N",
      description = "Events per model call at most. Default: ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(names = "--max-wait", defaultValue = "50ms", paramLabel = "DURATION",
      description = "Longest an event waits for its batch to fill (e.g. 20ms, 1s). Default: ${DEFAULT-VALUE}.")
  private String maxWait;

  @Option(names = "--kafka-wait", defaultValue = "60s", paramLabel = "DURATION",
      description = "At start, how long to wait for a broker that does not answer yet (one restarting, or a cluster"
          + " started with the service) before giving up. Default: ${DEFAULT-VALUE}.")
  private String kafkaWait;

  @Option(names = "--max-payload-bytes", defaultValue = "1048576", paramLabel = "BYTES",
      description = "Input records over this size are dead-lettered undecoded. Default: ${DEFAULT-VALUE}.")
  private int maxPayloadBytes;

  @Option(names = "--label", defaultValue = "all", paramLabel = "all|sample|uncertain",
      description = "Which events to label: all, a sampled share (--label-share, by event id hash), or only those"
          + " edge nodes flagged as uncertain. Default: ${DEFAULT-VALUE}.")
  private String label;

  @Option(names = "--label-share", defaultValue = "0.1", paramLabel = "SHARE",
      description = "With --label sample: the share of events labelled. Default: ${DEFAULT-VALUE}.")
  private double labelShare;

  @Option(names = "--no-embeddings", negatable = false,
      description = "Leave the teachers' embeddings out of soft labels: much smaller labels, but no hint or"
          + " relational distillation for the trainer.")
  private boolean noEmbeddings;

  @Option(names = "--batches-in-flight", defaultValue = "2", paramLabel = "N",
      description = "Released batches that each stream task's inference thread may hold while its stream thread"
          + " reads and decodes the next ones; 0 runs the model calls on the stream thread. Default: ${DEFAULT-VALUE}.")
  private int batchesInFlight;

  @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
      description = "Stream threads (each with its own predictors). Default: ${DEFAULT-VALUE}.")
  private int threads;

  @Option(names = "--http-port", defaultValue = "8090", paramLabel = "PORT",
      description = "Port of /predict, /health, /metrics; 0 picks a free one, -1 turns HTTP off."
          + " Default: ${DEFAULT-VALUE}.")
  private int httpPort;

  @Option(names = "--http-threads", defaultValue = "2", paramLabel = "N",
      description = "Threads (and predictor sets) serving /predict. Default: ${DEFAULT-VALUE}.")
  private int httpThreads;

  @Option(names = "--model-name", defaultValue = InferenceServer.DEFAULT_MODEL_NAME, paramLabel = "NAME",
      description = "The name the ensemble answers under in the Open Inference Protocol (/v2/models/NAME); each"
          + " teacher also answers under its own id. Default: ${DEFAULT-VALUE}.")
  private String modelName;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Kafka Streams state directory. Default: Kafka Streams' own (java.io.tmpdir/kafka-streams).")
  private Path stateDir;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command with the project's exit codes: usage errors 2, configuration and run errors 1. */
  public static CommandLine commandLine() {
    return Commands.withExitCodes(new TeacherServiceCommand(), "teacher");
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    OpenMpWaitPolicy.warnIfSpinning(LOGGER);
    LabellingConfig config = new LabellingConfig(inputTopic, softLabelTopic, deadLetterTopic, batchSize,
        Durations.parse("--max-wait", maxWait), maxPayloadBytes, LoadControl.parse(label, labelShare), !noEmbeddings,
        batchesInFlight);
    TeacherService.Settings settings = new TeacherService.Settings(applicationId, config, threads, httpPort,
        httpThreads, stateDir, Map.of(), modelName);
    Duration kafkaWaitTime = Durations.parse("--kafka-wait", kafkaWait);
    // A missing setting is a ConfigurationException: exit code 1 with its message (Commands).
    Map<String, Object> clientConfig = client.clientConfig();

    List<Teacher> teachers = new ArrayList<>();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      for (String name : teacherNames) {
        out.printf("Loading teacher %s...%n", name);
        out.flush();
        Teacher teacher = TeacherCatalog.load(name);
        teachers.add(teacher);
        out.printf("  %s version %s (%s input, classes %s)%n", teacher.descriptor().id(),
            teacher.descriptor().version(), teacher.descriptor().input(), teacher.descriptor().classes());
      }
      // A wrong address or topic is said now, not as warnings in the log after "running".
      Topics.requireExists(clientConfig, inputTopic, "--input-topic", kafkaWaitTime, note -> {
        out.println(note);
        out.flush();
      });
      TeacherService service = TeacherService.start(teachers, settings, clientConfig, metrics);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        service.close();
        teachers.forEach(Teacher::close);
        stopped.countDown();
      }, "teacher-service-shutdown"));
      LOGGER.atInfo().addKeyValue("client", ClientOptions.masked(clientConfig)).log("client settings");
      out.printf("Teacher service running: %s -> %s%s. Ctrl-C to stop.%n", inputTopic, softLabelTopic,
          service.httpPort() < 0 ? "" : ", HTTP on port " + service.httpPort());
      out.flush();
      stopped.await();
      return 0;
    } catch (RuntimeException e) {
      teachers.forEach(Teacher::close);
      throw e;
    }
  }
}
