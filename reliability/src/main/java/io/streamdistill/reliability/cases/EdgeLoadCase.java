package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.CampaignSettings;
import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.load.LatencyWindows;
import io.streamdistill.reliability.load.LoadGenerator;
import io.streamdistill.reliability.load.LoadSamples;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.AvroBytes;
import io.streamdistill.reliability.traffic.EdgeVersions;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.StudentModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The edge node ({@code ./distill edge}, a child JVM) loaded over loopback from a second process (the
 * {@link LoadGenerator}) while good versions are published every few seconds: no request may fail or
 * see a torn model, and requests around a swap may not be slower than steady ones by more than half
 * (p99 during swaps at most 1.5 times the steady p99, or no further above it than this machine's own noise
 * under the load: see {@link #latencyFailure}).
 */
public final class EdgeLoadCase implements ReliabilityCase {
  public static final String NAME = "edge-load-during-swaps";
  /** The largest p99 during swaps, as a multiple of the steady p99, that passes... */
  static final double MAX_P99_RATIO = 1.5;
  /**
   * ...unless it is at most this far above the steady p99, or the steady p99's own distance from the
   * steady p50 when that is larger.
   */
  static final double P99_SLACK_MILLIS = 2.0;
  private static final String MODEL = "reliability-edge";
  private static final String NODE = "load-node";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CaseResult run(CaseContext context) {
    long started = System.nanoTime();
    CampaignSettings.Load load = context.settings().load();
    CaseTopics topics = CaseTopics.create(context.stack(), NAME);
    Path keys = context.dir().resolve("keys");
    EdgeVersions versions = new EdgeVersions(MODEL, Keys.write(keys));
    Path requests = context.dir().resolve("requests.csv");
    List<Long> published = new ArrayList<>();
    int exitCode;
    boolean edgeAlive;
    List<DeploymentEvent> events;
    try (ModelsTopic models = new ModelsTopic(context.clientConfig(), topics);
        AvroBytes<StudentModelVersion> bytes = new AvroBytes<>(StudentModelVersion.class, context.clientConfig());
        ServiceProcess edge = Services.edge(context, topics, MODEL, Keys.publicKey(keys), NODE)) {
      int port = Services.edgePort(edge);
      EdgeClient client = new EdgeClient(port);
      models.send(MODEL, bytes.of(topics.studentModels(), versions.good(1)));
      client.awaitServing(1, Duration.ofSeconds(60));
      // Signed and serialized before the load starts: at a swap only the send costs this machine's CPU.
      int swaps = (int) (load.duration().plus(load.warmup()).toMillis() / load.swapEvery().toMillis()) + 2;
      List<byte[]> ready = new ArrayList<>();
      for (long v = 2; v < 2 + swaps; v++) {
        ready.add(bytes.of(topics.studentModels(), versions.good(v)));
      }
      String pace = load.requestsPerSecond() == 0 ? "closed loop"
          : String.format(Locale.ROOT, "%.0f requests/s", load.requestsPerSecond());
      context.progress("loading the edge node for %d s after a %d s warm-up (%d threads, %s), a new version every"
          + " %d ms", load.duration().toSeconds(), load.warmup().toSeconds(), load.threads(), pace,
          load.swapEvery().toMillis());
      try (ServiceProcess generator = context.start("load-generator", LoadGenerator.class.getName(),
          List.of("-Xmx256m"), List.of("--url", client.predictUri().toString(),
              "--threads", Integer.toString(load.threads()),
              "--duration", load.duration().plus(load.warmup()).toMillis() + "ms",
              "--rate", Double.toString(load.requestsPerSecond()), "--out", requests.toString()))) {
        // The generator's exit ends the run; waiting for it with a timeout is also the swap clock.
        long next = 2;
        while (!generator.awaitExit(load.swapEvery()) && next - 2 < ready.size()) {
          models.send(MODEL, ready.get((int) (next - 2)));
          published.add(next++);
        }
        // -2: it did not end in time (and is stopped when this block closes it).
        exitCode = generator.awaitExit(Duration.ofMinutes(1)) ? generator.exitCode() : -2;
        if (exitCode != 0) {
          context.progress("the load generator failed; its log ends with:%n%s", generator.tail(10));
        }
      }
      long last = published.isEmpty() ? 1 : published.get(published.size() - 1);
      client.awaitServing(last, Duration.ofSeconds(30));
      edgeAlive = edge.isAlive();
      events = models.deployments(NODE);
    }
    return audit(context, load, requests, published, events, exitCode, edgeAlive, started);
  }

  /**
   * The p99 of the median swap window (of the windows' own p99s; {@code fallback} when there is none): a swap
   * that stalls requests stalls them at every swap, where a stall of this machine's (another test's burst, a
   * collection in the load generator) lands in one window. A CI run failed on the p99 of all windows together,
   * 27.2 ms against a steady 12.8 ms, whose windows' p99s were 136.0, 20.6, 18.3, 25.0 and 13.5 ms: one
   * window's burst (the steady requests' own slowest took 224 ms).
   */
  static double typicalSwapP99(List<Double> p99PerSwap, double fallback) {
    if (p99PerSwap.isEmpty()) {
      return fallback;
    }
    List<Double> sorted = p99PerSwap.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * Why requests around swaps were too slow, if they were: their p99 is more than {@value
   * #MAX_P99_RATIO} times the steady p99 and further above it than the slack, which is {@value
   * #P99_SLACK_MILLIS} ms or the steady requests' own spread (p99 minus p50), whichever is larger.
   * Each side's p99 is the slowest 1% of some thousands of requests, some 50, on two cores shared with
   * the load generator, the broker and the publisher: on a quiet machine runs of the same code measured
   * the ratio at 0.97, 1.25 and 1.54 (2.86 to 4.40 ms), a millisecond or two that is this machine, not the
   * swap. On a machine busy with other work (the test command runs two campaign halves beside other
   * modules' tests) the steady p99 itself rose to 40 ms over a p50 of 9 ms, and five swap windows' p99s
   * ranged from 26 to 79 ms: there the noise is the steady spread, and a swap that stalls requests still
   * shows as a p99 above the steady p99 by more than the steady requests ever spread.
   */
  static Optional<String> latencyFailure(LatencyWindows.Stats steady, double swapsP99Millis) {
    double ratio = swapsP99Millis / steady.p99Millis();
    double slack = Math.max(P99_SLACK_MILLIS, steady.p99Millis() - steady.p50Millis());
    if (ratio <= MAX_P99_RATIO || swapsP99Millis - steady.p99Millis() <= slack) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "p99 during swaps (the median window's) %.2f ms is %.2f times the"
        + " steady %.2f ms (at"
        + " most %.1f, or %.1f ms above it: %.0f ms or the steady p99 - p50, %.2f - %.2f ms)", swapsP99Millis,
        ratio, steady.p99Millis(), MAX_P99_RATIO, slack, P99_SLACK_MILLIS, steady.p99Millis(),
        steady.p50Millis()));
  }

  private static CaseResult audit(CaseContext context, CampaignSettings.Load load, Path requests,
      List<Long> published, List<DeploymentEvent> events, int exitCode, boolean edgeAlive, long started) {
    List<Long> swaps = new ArrayList<>();
    List<Long> loadedVersions = new ArrayList<>();
    for (DeploymentEvent event : events) {
      if (event.getStatus() == DeploymentStatus.LOADED && event.getVersion() > 1) {
        swaps.add(event.getTimestamp().toEpochMilli());
        loadedVersions.add(event.getVersion());
      }
    }
    LoadSamples samples = exitCode == 0 ? LoadSamples.read(requests) : new LoadSamples();
    LatencyWindows.Result result = LatencyWindows.analyse(samples, swaps, load.window().toMillis(),
        load.warmup().toMillis());
    long notLoaded = published.stream().filter(v -> !loadedVersions.contains(v)).count();
    long rejected = events.stream().filter(e -> e.getStatus() == DeploymentStatus.REJECTED).count();
    List<String> failures = new ArrayList<>();
    if (exitCode != 0) {
      failures.add("the load generator exited with code " + exitCode);
    }
    if (result.all().errors() > 0) {
      failures.add(result.all().errors() + " of " + result.all().requests() + " requests failed ("
          + result.duringSwaps().errors() + " during swaps)");
    }
    if (notLoaded > 0 || rejected > 0) {
      failures.add(notLoaded + " published versions were not loaded, " + rejected + " rejected");
    }
    if (result.swapsInRun() == 0) {
      failures.add("no swap happened while the load ran");
    }
    double typicalSwapP99 = typicalSwapP99(result.p99PerSwap(), result.duringSwaps().p99Millis());
    latencyFailure(result.steady(), typicalSwapP99).ifPresent(failures::add);
    if (!edgeAlive) {
      failures.add("the edge node died");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("threads", load.threads());
    details.put("requestsPerSecond", load.requestsPerSecond());
    details.put("durationSeconds", load.duration().toSeconds());
    details.put("swapEveryMillis", load.swapEvery().toMillis());
    details.put("swapWindowMillis", load.window().toMillis());
    details.put("warmupMillis", load.warmup().toMillis());
    details.put("versionsPublished", published.size());
    details.put("swapsLoaded", swaps.size());
    details.put("swapsDuringMeasuredLoad", result.swapsInRun());
    details.put("all", result.all());
    details.put("steady", result.steady());
    details.put("duringSwaps", result.duringSwaps());
    details.put("p99Ratio", result.p99Ratio());
    details.put("p99PerSwapWindowMillis", result.p99PerSwap());
    details.put("p99MedianSwapWindowMillis", typicalSwapP99);
    details.put("requestsFile", requests.toString());
    int survived = swaps.size() - result.swapsWithErrors();
    String notes = String.format(Locale.ROOT, "trials = swaps under load, survived = swaps with no failed request;"
        + " %,d requests, %d failed; p50/p99 steady %.2f/%.2f ms, during swaps %.2f/%.2f ms (p99 x%.2f), the median"
        + " swap window's p99 %.2f ms", result.all().requests(), result.all().errors(),
        result.steady().p50Millis(), result.steady().p99Millis(), result.duringSwaps().p50Millis(),
        result.duringSwaps().p99Millis(), result.p99Ratio(), typicalSwapP99);
    context.progress("%s", notes);
    return new CaseResult(NAME, published.size(), survived, result.all().errors() + notLoaded, 0,
        failures.isEmpty(), notes, failures, details, (System.nanoTime() - started) / 1e9);
  }
}
