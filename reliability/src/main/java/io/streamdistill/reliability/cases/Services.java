package io.streamdistill.reliability.cases;

import io.streamdistill.edge.service.EdgeServiceCommand;
import io.streamdistill.reliability.CampaignException;
import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.teacher.TeacherServiceCommand;
import io.streamdistill.trainer.TrainerCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services' command lines, as an operator would type them (see README), pointed at a case's
 * topics. Each returns the started process; the case owns it.
 */
final class Services {
  /** Logged by the trainer once it has resumed (read the last version, sought its offsets): it is working. */
  static final String TRAINER_RESUMED = "trainer started";
  /** Logged by the trainer once its loop has ended and its clients are closed. */
  static final String TRAINER_STOPPED = "trainer stopped";
  private static final Pattern EDGE_PORT = Pattern.compile("serving model \\S+ on port (\\d+)");

  private Services() {}

  /**
   * The trainer of an MNIST edge student ({@code mnist-64}), with TrainerIT's settings: small batches and
   * frequent candidates, each published when the gate's tolerance lets it (no --min-improvement pace), so
   * that a run of seconds publishes versions. {@code --max-quiet 0s}: a candidate a little worse than the one
   * in service, within the tolerance, ships too; the default would hold it for two minutes, and a case
   * waiting for a version through its last soft label waited that long.
   */
  static ServiceProcess trainer(CaseContext context, CaseTopics topics, Path keys, String modelName,
      List<String> extra) {
    List<String> args = new ArrayList<>(List.of("--student", "mnist-64", "--model-name", modelName,
        "--keys", keys.toString(), "--soft-label-topic", topics.softLabels(), "--model-topic", topics.studentModels(),
        "--dead-letter-topic", topics.deadLetters(), "--batch-size", "64", "--learning-rate", "0.002",
        "--min-improvement", "0", "--max-quiet", "0s", "--metrics-port", "-1"));
    args.addAll(context.clientArgs());
    args.addAll(extra);
    return context.start("trainer", TrainerCommand.class.getName(), List.of("-Dai.djl.offline=true", "-Xmx1g"), args);
  }

  /** Stops a trainer cleanly, without waiting while its JVM lingers ({@link ServiceProcess#stop(Duration, String)}). */
  static void stopTrainer(ServiceProcess trainer) {
    trainer.stop(Duration.ofSeconds(30), TRAINER_STOPPED);
  }

  /**
   * The teacher service with the real MNIST teacher, with TeacherServiceIT's settings: small batches, and
   * a session timeout short enough that a killed instance's partitions move to its successor in seconds.
   * Without embeddings (the trainer here does not use them): a third of the bytes per label.
   */
  static ServiceProcess teacher(CaseContext context, CaseTopics topics, String applicationId, Path stateDir,
      List<String> extra) {
    List<String> args = new ArrayList<>(List.of("--teacher", "mnist", "--application-id", applicationId,
        "--input-topic", topics.inputEvents(), "--soft-label-topic", topics.softLabels(),
        "--dead-letter-topic", topics.deadLetters(), "--batch-size", "32", "--max-wait", "50ms", "--http-port", "-1",
        "--state-dir", stateDir.toString(), "--no-embeddings",
        "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1500"));
    args.addAll(context.clientArgs());
    args.addAll(extra);
    return context.start("teacher", TeacherServiceCommand.class.getName(),
        List.of("-Dai.djl.offline=true", "-Xmx1g"), args);
  }

  /** An edge node following the case's models topic, on a free port; the student always answers (no cascade). */
  static ServiceProcess edge(CaseContext context, CaseTopics topics, String model, Path publicKey, String nodeId) {
    List<String> args = new ArrayList<>(List.of("--model", model, "--public-key", publicKey.toString(),
        "--node-id", nodeId, "--models-topic", topics.studentModels(), "--deployments-topic", topics.deployments(),
        "--input-events-topic", topics.inputEvents(), "--http-port", "0", "--sample-rate", "0",
        "--cascade-threshold", "0"));
    args.addAll(context.clientArgs());
    return context.start("edge", EdgeServiceCommand.class.getName(), List.of("-Xmx512m"), args);
  }

  /** The port the edge node printed once its HTTP endpoint listened. */
  static int edgePort(ServiceProcess edge) {
    edge.awaitLog("serving model", Duration.ofSeconds(60));
    String line = edge.logLine("serving model");
    Matcher matcher = EDGE_PORT.matcher(line);
    if (!matcher.find()) {
      throw new CampaignException("the edge node's start-up line names no port: " + line);
    }
    return Integer.parseInt(matcher.group(1));
  }
}
