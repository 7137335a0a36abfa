package io.streamdistill.reliability;

import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.stack.LocalStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a case runs with: the shared local stack, the settings, a seeded Random, progress lines, and
 * a folder for the logs of the processes it starts. It also remembers those processes and stops any
 * that are still running when the case is over, whatever way it ended.
 *
 * <p>Used by one case on one thread; {@link #progress} may be called from any thread.
 */
public final class CaseContext implements AutoCloseable {
  private final String caseName;
  private final LocalStack stack;
  private final CampaignSettings settings;
  private final Progress progress;
  private final Random random;
  private final Path dir;
  private final List<ServiceProcess> started = new ArrayList<>();

  public CaseContext(String caseName, LocalStack stack, CampaignSettings settings, Progress progress, Path dir) {
    this.caseName = caseName;
    this.stack = stack;
    this.settings = settings;
    this.progress = progress;
    // Each case its own stream of choices, so that running one case alone repeats its run in the campaign.
    this.random = new Random(settings.seed() ^ caseName.hashCode());
    this.dir = dir;
  }

  public String caseName() {
    return caseName;
  }

  public LocalStack stack() {
    return stack;
  }

  /** bootstrap.servers and schema.registry.url of the stack. */
  public Map<String, Object> clientConfig() {
    return stack.clientConfig();
  }

  /** The options that point a service's command at the stack. */
  public List<String> clientArgs() {
    return List.of("--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url",
        stack.schemaRegistryUrl());
  }

  public CampaignSettings settings() {
    return settings;
  }

  public Random random() {
    return random;
  }

  /** The case's folder: its processes' logs, keys, state. */
  public Path dir() {
    return dir;
  }

  public void progress(String format, Object... args) {
    progress.line(caseName, format, args);
  }

  /** Starts a service's command in a JVM of its own; its log is {@code dir/NAME-K.log}, K counting its starts. */
  public ServiceProcess start(String name, String mainClass, List<String> jvmOptions, List<String> args) {
    long earlier = started.stream().filter(p -> p.name().equals(name)).count();
    ServiceProcess process = ServiceProcess.start(name, jvmOptions, mainClass, args,
        dir.resolve(name + "-" + (earlier + 1) + ".log"));
    started.add(process);
    return process;
  }

  /** Stops what the case left running (a case that failed half-way). */
  @Override
  public void close() {
    for (ServiceProcess process : started) {
      if (process.isAlive()) {
        process.stop(Duration.ofSeconds(20));
      }
    }
  }
}
