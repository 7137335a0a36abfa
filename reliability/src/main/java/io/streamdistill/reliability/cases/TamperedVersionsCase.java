package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.audit.DeadLetterAudit;
import io.streamdistill.reliability.process.Await;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.AvroBytes;
import io.streamdistill.reliability.traffic.EdgeVersions;
import io.streamdistill.reliability.traffic.TamperedVersions;
import io.streamdistill.schemas.DeploymentEvent;
import io.streamdistill.schemas.DeploymentStatus;
import io.streamdistill.schemas.StudentModelVersion;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tampered and unusable versions sent to the models topic that a running edge node ({@code ./distill
 * edge}, a child JVM) follows: each must be rejected, with one REJECTED deployment event and its
 * reason, while the node goes on answering {@code /predict} with the good version, measured by a
 * prober the whole time. At the end a new good version is published, which the node must still take.
 */
public final class TamperedVersionsCase implements ReliabilityCase {
  public static final String NAME = "tampered-versions";
  private static final String MODEL = "reliability-edge";
  private static final String NODE = "tampered-node";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CaseResult run(CaseContext context) {
    long started = System.nanoTime();
    int count = context.settings().tamperedVersions();
    CaseTopics topics = CaseTopics.create(context.stack(), NAME);
    Path keys = context.dir().resolve("keys");
    KeyPair pair = Keys.write(keys);
    EdgeVersions versions = new EdgeVersions(MODEL, pair);
    StudentModelVersion served = versions.good(1);
    List<TamperedVersions.Tampered> sent = new ArrayList<>();
    Map<String, Object> run = new LinkedHashMap<>();
    long next = 2;
    Map<Long, Long> answers;
    long probeFailures;
    try (ModelsTopic models = new ModelsTopic(context.clientConfig(), topics);
        AvroBytes<StudentModelVersion> bytes = new AvroBytes<>(StudentModelVersion.class, context.clientConfig());
        ServiceProcess edge = Services.edge(context, topics, MODEL, Keys.publicKey(keys), NODE)) {
      EdgeClient client = new EdgeClient(Services.edgePort(edge));
      models.send(MODEL, bytes.of(topics.studentModels(), served));
      client.awaitServing(1, Duration.ofSeconds(60));
      context.progress("edge node serves v1; sending %d tampered versions", count);
      TamperedVersions tampered = new TamperedVersions(versions, served, bytes, topics.studentModels(),
          context.random());
      try (EdgeClient.Prober prober = client.prober()) {
        for (int n = 0; n < count; n++) {
          TamperedVersions.Tampered version = tampered.next(n, next++);
          sent.add(version);
          models.send(MODEL, version.value());
        }
        Await.until(count + " REJECTED events", Duration.ofMinutes(2),
            () -> rejected(models.deployments(NODE)) >= count, () -> rejected(models.deployments(NODE)) + " so far");
        answers = prober.answers();
        probeFailures = prober.failures();
        run.put("probeAnswersByVersion", answers);
        run.put("probeFailures", probeFailures);
      }
      // Still following: the next good version is taken.
      long sentinel = next;
      models.send(MODEL, bytes.of(topics.studentModels(), versions.good(sentinel)));
      client.awaitServing(sentinel, Duration.ofSeconds(60));
      context.progress("all rejected; the next good version v%d is served", sentinel);
      run.put("nextGoodVersionServed", sentinel);
      run.put("edgeAlive", edge.isAlive());
      List<DeploymentEvent> events = models.deployments(NODE);
      return audit(sent, events, sentinel, answers, probeFailures, run, edge.isAlive(), started);
    }
  }

  private static long rejected(List<DeploymentEvent> events) {
    return events.stream().filter(e -> e.getStatus() == DeploymentStatus.REJECTED).count();
  }

  private static CaseResult audit(List<TamperedVersions.Tampered> sent, List<DeploymentEvent> events, long sentinel,
      Map<Long, Long> answers, long probeFailures, Map<String, Object> run, boolean alive, long started) {
    // The number each tampered record makes the node name; a few kinds share one (the replayed v1, unreadable -1).
    Map<Long, List<String>> expected = new HashMap<>();
    sent.forEach(t -> expected.computeIfAbsent(t.number(), k -> new ArrayList<>()).add(t.kind()));
    Map<Long, List<DeploymentEvent>> rejectedByNumber = new HashMap<>();
    List<Long> loaded = new ArrayList<>();
    for (DeploymentEvent event : events) {
      if (event.getStatus() == DeploymentStatus.REJECTED) {
        rejectedByNumber.computeIfAbsent(event.getVersion(), k -> new ArrayList<>()).add(event);
      } else if (event.getStatus() == DeploymentStatus.LOADED) {
        loaded.add(event.getVersion());
      }
    }
    long lost = 0;
    long duplicated = 0;
    Map<String, long[]> byKind = new TreeMap<>();
    Map<String, String> reasonByKind = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    for (var entry : expected.entrySet()) {
      List<DeploymentEvent> got = rejectedByNumber.getOrDefault(entry.getKey(), List.of());
      int want = entry.getValue().size();
      lost += Math.max(0, want - got.size());
      duplicated += Math.max(0, got.size() - want);
      for (int i = 0; i < want; i++) {
        String kind = entry.getValue().get(i);
        long[] counts = byKind.computeIfAbsent(kind, k -> new long[2]);
        counts[0]++;
        if (i < got.size()) {
          counts[1]++;
          String reason = got.get(i).getReason() == null ? "(no reason)" : got.get(i).getReason();
          reasonByKind.putIfAbsent(kind, reason);
          byReason.merge(DeadLetterAudit.normalize(reason), 1L, Long::sum);
        }
      }
    }
    long withoutReason = events.stream().filter(e -> e.getStatus() == DeploymentStatus.REJECTED)
        .filter(e -> e.getReason() == null || e.getReason().isBlank()).count();
    List<Long> wrongLoads = loaded.stream().filter(v -> v != 1 && v != sentinel).toList();
    long otherAnswers = answers.entrySet().stream().filter(e -> e.getKey() != 1).mapToLong(Map.Entry::getValue).sum();
    List<String> failures = new ArrayList<>();
    if (lost > 0) {
      failures.add(lost + " tampered versions without a REJECTED event");
    }
    if (duplicated > 0) {
      failures.add(duplicated + " extra REJECTED events");
    }
    if (withoutReason > 0) {
      failures.add(withoutReason + " REJECTED events without a reason");
    }
    if (!wrongLoads.isEmpty()) {
      failures.add("tampered versions were loaded: " + wrongLoads);
    }
    if (probeFailures > 0 || otherAnswers > 0 || answers.getOrDefault(1L, 0L) == 0) {
      failures.add("while the tampered versions came, /predict failed " + probeFailures + " times and answered "
          + answers + " by version");
    }
    if (!alive) {
      failures.add("the edge node died");
    }
    Map<String, Object> kinds = new TreeMap<>();
    byKind.forEach((kind, c) -> kinds.put(kind, Map.of("sent", c[0], "rejected", c[1],
        "reason", reasonByKind.getOrDefault(kind, "(none)"))));
    Map<String, Object> details = new LinkedHashMap<>(run);
    details.put("byKind", kinds);
    details.put("byReason", byReason);
    details.put("loaded", loaded);
    long survived = sent.size() - lost;
    String notes = String.format(Locale.ROOT, "trials = tampered versions (%d kinds), survived = rejected once with a"
        + " reason; /predict answered v1 %,d times, failed %d", byKind.size(), answers.getOrDefault(1L, 0L),
        probeFailures);
    return new CaseResult(NAME, sent.size(), survived, lost, duplicated, failures.isEmpty(), notes, failures, details,
        (System.nanoTime() - started) / 1e9);
  }
}
