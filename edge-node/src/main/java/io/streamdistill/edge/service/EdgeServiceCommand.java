package io.streamdistill.edge.service;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.config.ClientOptions;
import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.schemas.Topics;
import io.streamdistill.student.SigningKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
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

/** {@code ./distill edge}: runs an edge node with its HTTP endpoint until stopped. */
@Command(
    name = "edge",
    mixinStandardHelpOptions = true,
    version = "stream-distill edge-node 0.1.0",
    sortOptions = false,
    description = {
      "Serves a student model in plain Java (no DJL, no native code) over HTTP:",
      "POST /predict, GET /health, GET /metrics (Prometheus), and /authorize for",
      "a gateway (nginx auth_request; see --gateway-action and the README).",
      "",
      "Follows the student-models topic for one model, verifies each version's",
      "SHA-256 and Ed25519 signature before loading it in the background, and",
      "swaps it in atomically. Rejected versions (tampered, untrusted, replayed)",
      "are reported to the deployments topic; the served version stays.",
      "When the student's top probability is below --cascade-threshold, the",
      "teacher answers instead. Those requests, and a --sample-rate share of the",
      "rest, go back to input-events for the teacher to label.",
      ""
    },
    footer = {
      "",
      "Admin endpoints (need --admin-token-file and 'Authorization: Bearer TOKEN'):",
      "  POST /admin/pin {\"version\": N}       serve N and stay on it",
      "                                       (no body: the version served now)",
      "  POST /admin/unpin                    follow new versions again",
      "  POST /admin/rollback {\"version\": N}  serve another held version",
      "                                       (no body: the previous one)",
      "",
      "Gateway (/authorize): the gateway sends X-Original-Method and X-Original-URI;",
      "the student classifies the request line (and --gateway-headers) and the",
      "class's action answers: 200 allow, 200 + X-Distill-Route route, 403 deny;",
      "503 without a version (the gateway fails open or closed, as configured).",
      "",
      "Exit codes: 0 stopped cleanly, 1 failed, 2 bad arguments.",
      "Example: ./distill edge --model mnist-edge --public-key student.pub \\",
      "           --teacher-url http://localhost:8090/predict"
    })
public final class EdgeServiceCommand implements Callable<Integer> {
  private static final Logger LOGGER = LoggerFactory.getLogger(EdgeServiceCommand.class);

  @Spec
  private CommandSpec spec;

  @Mixin
  private ClientOptions client;

  @Option(names = "--model", required = true, paramLabel = "NAME",
      description = "The model line to serve: the key of its versions on the student-models topic, e.g. mnist-edge.")
  private String model;

  @Option(names = "--public-key", required = true, paramLabel = "FILE",
      description = "Ed25519 public key (PEM) whose signatures are trusted (repeatable, e.g. while keys rotate)."
          + " Versions signed by any other key are rejected.")
  private List<Path> publicKeys;

  @Option(names = "--node-id", paramLabel = "ID",
      description = "This node's id: key of its deployment events, source edge/<id> of the events it sends back."
          + " Default: this host's name.")
  private String nodeId;

  @Option(names = "--models-topic", defaultValue = Topics.STUDENT_MODELS, paramLabel = "TOPIC",
      description = "Where student versions are read from. Default: ${DEFAULT-VALUE}.")
  private String modelsTopic;

  @Option(names = "--deployments-topic", defaultValue = Topics.DEPLOYMENTS, paramLabel = "TOPIC",
      description = "Where LOADED, REJECTED, ROLLED_BACK, PINNED and UNPINNED events go. Default: ${DEFAULT-VALUE}.")
  private String deploymentsTopic;

  @Option(names = "--input-events-topic", defaultValue = Topics.INPUT_EVENTS, paramLabel = "TOPIC",
      description = "Where sampled and uncertain requests go, for the teacher to label. Default: ${DEFAULT-VALUE}.")
  private String inputEventsTopic;

  @Option(names = "--keep-versions", defaultValue = "" + EdgeConfig.DEFAULT_KEEP_VERSIONS, paramLabel = "N",
      description = "Verified versions held in memory for pin and rollback. Default: ${DEFAULT-VALUE}.")
  private int keepVersions;

  @Option(names = "--cascade-threshold", defaultValue = EdgeConfig.CALIBRATED, paramLabel = "calibrated|P",
      description = "When the student's top probability is below the threshold it is unsure: the teacher is asked"
          + " (with --teacher-url) and the request is sent back to input-events as uncertain. 'calibrated': each"
          + " version's own threshold, measured by the trainer on held-out traffic (the lowest confidence from which"
          + " the version agreed with the teacher as often as the trainer's --cascade-agreement, 99.5%% by"
          + " default), " + EdgeConfig.FALLBACK_CASCADE_THRESHOLD + " for a version without one. A number P in"
          + " [0, 1]: that threshold for every version; 0 turns the cascade off. Default: ${DEFAULT-VALUE}.")
  private String cascadeThreshold;

  @Option(names = "--teacher-url", paramLabel = "URL",
      description = "The teacher service's predict endpoint, e.g. http://teacher:8090/predict. Default: none (the"
          + " student answers even when unsure).")
  private String teacherUrl;

  @Option(names = "--teacher-timeout", defaultValue = EdgeConfig.DEFAULT_TEACHER_TIMEOUT, paramLabel = "DURATION",
      description = "Longest wait for the teacher (e.g. 150ms, 1s); after it the student's answer is given, flagged"
          + " teacherFailed=timeout. Default: ${DEFAULT-VALUE}.")
  private String teacherTimeout;

  @Option(names = "--sample-rate", defaultValue = "" + EdgeConfig.DEFAULT_SAMPLE_RATE, paramLabel = "SHARE",
      description = "Share of confident requests also sent back to input-events (uncertain ones always are)."
          + " Default: ${DEFAULT-VALUE}.")
  private double sampleRate;

  @Option(names = "--feedback-queue-size", defaultValue = "" + EdgeConfig.DEFAULT_FEEDBACK_QUEUE_SIZE,
      paramLabel = "N",
      description = "Events waiting to be sent back at most; beyond that they are dropped (and counted), never"
          + " waited for. Default: ${DEFAULT-VALUE}.")
  private int feedbackQueueSize;

  @Option(names = "--http-port", defaultValue = "8091", paramLabel = "PORT",
      description = "Port of /predict, /health, /metrics and /admin; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  private int httpPort;

  @Option(names = "--http-threads", defaultValue = "16", paramLabel = "N",
      description = "Request threads; a request that asks the teacher holds one up to --teacher-timeout."
          + " Default: ${DEFAULT-VALUE}.")
  private int httpThreads;

  @Option(names = "--max-body-bytes", defaultValue = "1048576", paramLabel = "BYTES",
      description = "Largest request body accepted (413 beyond). Default: ${DEFAULT-VALUE}.")
  private int maxBodyBytes;

  @Option(names = "--admin-token-file", paramLabel = "FILE",
      description = "File holding the bearer token of the /admin endpoints (keep it readable by this user only)."
          + " Default: none (admin endpoints answer 404).")
  private Path adminTokenFile;

  @Option(names = "--gateway-action", paramLabel = "CLASS=ACTION",
      description = "What /authorize answers a gateway (nginx auth_request) for a class: allow (200), deny (403) or"
          + " route:NAME (200 with X-Distill-Route: NAME). Repeat per class, e.g. --gateway-action attack=deny.")
  private List<String> gatewayActions = new ArrayList<>();

  @Option(names = "--gateway-otherwise", defaultValue = "allow", paramLabel = "ACTION",
      description = "The action for a class without --gateway-action. Default: ${DEFAULT-VALUE}.")
  private String gatewayOtherwise;

  @Option(names = "--gateway-headers", split = ",", paramLabel = "NAME",
      description = "Request headers the student reads after the request line at /authorize (comma-separated, e.g."
          + " user-agent,referer); the input events it learns from must hold the same text (RequestText)."
          + " Default: none.")
  private List<String> gatewayHeaders = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command with the project's exit codes: usage errors 2, configuration and run errors 1. */
  public static CommandLine commandLine() {
    return Commands.withExitCodes(new EdgeServiceCommand(), "edge");
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    // Everything that can be checked without a broker is checked first: bad arguments exit 2 at once.
    List<PublicKey> keys = publicKeys.stream().map(SigningKeys::readPublic).toList();
    Duration timeout = Durations.parse("--teacher-timeout", teacherTimeout);
    URI teacher = teacherUrl == null ? null : URI.create(teacherUrl);
    EdgeConfig config = new EdgeConfig(nodeId == null ? hostName() : nodeId, model, keys, modelsTopic,
        deploymentsTopic, inputEventsTopic, keepVersions, EdgeConfig.parseCascadeThreshold(cascadeThreshold), teacher,
        timeout, sampleRate,
        feedbackQueueSize, Map.of());
    EdgeHttpServer.Settings http = new EdgeHttpServer.Settings(httpPort, httpThreads, maxBodyBytes,
        adminTokenFile == null ? null : readToken(adminTokenFile),
        GatewayPolicy.parse(gatewayActions, gatewayOtherwise, gatewayHeaders));
    // A missing setting is a ConfigurationException: exit code 1 with its message (Commands).
    config = config.withClientConfig(client.clientConfig());

    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EdgeNode node = EdgeNode.start(config, metrics);
    EdgeHttpServer server;
    try {
      server = new EdgeHttpServer(node, http, metrics);
    } catch (IOException | RuntimeException e) {
      node.close();
      metrics.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOGGER.info("edge node stopping");
      server.close();
      node.close();
      metrics.close();
      stopped.countDown();
    }, "edge-node-shutdown"));
    out.printf("Edge node %s serving model %s on port %d (versions from %s). Ctrl-C to stop.%n", config.nodeId(),
        model, server.port(), modelsTopic);
    out.flush();
    stopped.await();
    return 0;
  }

  /** The token, trimmed; never printed or logged. */
  static String readToken(Path file) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("--admin-token-file: cannot read " + file + ": " + e.getMessage());
    }
    if (token.isEmpty()) {
      throw new IllegalArgumentException("--admin-token-file: " + file + " is empty");
    }
    return token;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "edge-" + ProcessHandle.current().pid() : env;
    }
  }
}
