package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.audit.LineageAudit;
import io.streamdistill.reliability.audit.TopicReader;
import io.streamdistill.reliability.process.Await;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.AvroBytes;
import io.streamdistill.reliability.traffic.MnistTraffic;
import io.streamdistill.reliability.traffic.PacedProducer;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.VerificationException;
import io.streamdistill.student.VersionDeltas;
import io.streamdistill.student.VersionVerifier;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The trainer, a child JVM running {@code ./distill train}, killed with SIGKILL at random moments while
 * real MNIST soft labels stream in, restarted each time. Then the lineage is audited: the published
 * versions must cover every soft label on the topic exactly once (each version the records between its
 * parent's offsets and its own), numbered 1, 2, 3..., each signed.
 *
 * <p>Why {@code --tolerance 0.2}, as TrainerIT: this case proves the lineage, and its last version must
 * reach the tail of the stream once the traffic stops. A gate that refused the last candidate (a
 * student a point worse on a small held-out window after a restart) would leave the tail unpublished
 * for want of more traffic, which would read as lost labels. The gate's refusals are proven on their
 * own by TrainerIT's poisoned-label test.
 */
public final class TrainerSigkillCase implements ReliabilityCase {
  public static final String NAME = "trainer-sigkill";
  /** Images labelled once by the real teacher, then replayed under new ids. */
  private static final int POOL = 5_000;
  /**
   * Soft labels a second: far below what the trainer reads, so that it is at the tail when killed. At
   * 1,000 a second, beside the rest of the test command on two cores, it was not: the newest version was
   * v2 at all three kills, and the trainer took 60 s after the traffic stopped to train through 85,699
   * soft labels.
   */
  private static final double RATE = 400;
  private static final String MODEL = "reliability-mnist";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CaseResult run(CaseContext context) {
    long started = System.nanoTime();
    int kills = context.settings().trainerKills();
    CaseTopics topics = CaseTopics.create(context.stack(), NAME);
    Path keys = context.dir().resolve("keys");
    KeyPair pair = Keys.write(keys);
    context.progress("labelling %,d MNIST images with the real teacher", POOL);
    List<SoftLabel> pool = MnistTraffic.softLabels(MnistTraffic.trainImages(), POOL);

    List<Map<String, Object>> killLog = new ArrayList<>();
    int resumedAfterKill = 0;
    long produced;
    try (AvroBytes<SoftLabel> bytes = new AvroBytes<>(SoftLabel.class, context.clientConfig());
        PacedProducer labels = new PacedProducer(NAME, context.clientConfig(), RATE, Long.MAX_VALUE, sequence -> {
          String id = NAME + "-" + sequence;
          SoftLabel label = MnistTraffic.withId(pool.get((int) (sequence % POOL)), id);
          return new ProducerRecord<>(topics.softLabels(), id, bytes.of(topics.softLabels(), label));
        })) {
      labels.start();
      ServiceProcess trainer = startTrainer(context, topics, keys);
      try {
        // The line must exist before the first kill, or every restart would begin again from nothing.
        ServiceProcess first = trainer;
        Await.until("the first version", Duration.ofMinutes(2), () -> TopicReader.latestValue(context.clientConfig(),
            topics.studentModels(), StudentModelVersion.class) != null, () -> first.tail(15));
        for (int k = 1; k <= kills; k++) {
          trainer.awaitLog(Services.TRAINER_RESUMED, Duration.ofMinutes(2));
          if (k > 1) {
            resumedAfterKill++;
          }
          long resumedAt = trainer.ageMillis();
          // The random moment is the point of the case: a kill may land in a training step, a held-out
          // evaluation, the signing or the transaction of a version.
          Await.pause(context.random().nextLong(context.settings().killWindow().toMillis() + 1));
          long after = trainer.ageMillis() - resumedAt;
          long pid = trainer.pid();
          trainer.kill();
          StudentModelVersion latest = TopicReader.latestValue(context.clientConfig(), topics.studentModels(),
              StudentModelVersion.class);
          long version = latest == null ? 0 : latest.getVersion();
          killLog.add(Map.of("kill", k, "pid", pid, "millisAfterResume", after, "softLabelsSent", labels.acked(),
              "newestVersion", version));
          context.progress("kill %d/%d: SIGKILL %,d ms after the trainer resumed (pid %d); %,d soft labels so far,"
              + " newest version v%d", k, kills, after, pid, labels.acked(), version);
          trainer = startTrainer(context, topics, keys);
        }
        trainer.awaitLog(Services.TRAINER_RESUMED, Duration.ofMinutes(2));
        resumedAfterKill++;
        labels.stopAndFlush();
        produced = labels.acked();
        Map<Integer, Long> end = TopicReader.endOffsets(context.clientConfig(), topics.softLabels());
        context.progress("traffic stopped at %,d soft labels; waiting for a version through the end %s", produced, end);
        ServiceProcess last = trainer;
        Await.until("a version trained through " + end, Duration.ofMinutes(3), () -> {
          StudentModelVersion latest = TopicReader.latestValue(context.clientConfig(), topics.studentModels(),
              StudentModelVersion.class);
          return latest != null && LineageAudit.Version.of(latest, topics.softLabels()).through().equals(end);
        }, () -> "the trainer's log ends with:\n" + last.tail(15));
      } finally {
        Services.stopTrainer(trainer);
      }
    }
    return audit(context, topics, pair, kills, resumedAfterKill, produced, killLog, started);
  }

  private static ServiceProcess startTrainer(CaseContext context, CaseTopics topics, Path keys) {
    return Services.trainer(context, topics, keys, MODEL, List.of("--publish-every", "1500",
        "--publish-interval", "2s"));
  }

  private static CaseResult audit(CaseContext context, CaseTopics topics, KeyPair pair, int kills, int resumed,
      long produced, List<Map<String, Object>> killLog, long started) {
    List<StudentModelVersion> versions = VersionDeltas.rebuildAll(TopicReader.readValues(context.clientConfig(),
        topics.studentModels(), StudentModelVersion.class));
    Map<Integer, List<Long>> offsets = TopicReader.offsets(TopicReader.readAll(context.clientConfig(),
        topics.softLabels()));
    LineageAudit.Report lineage = LineageAudit.audit(versions.stream()
        .map(v -> LineageAudit.Version.of(v, topics.softLabels())).toList(), offsets);
    VersionVerifier verifier = new VersionVerifier(List.of(pair.getPublic()));
    List<String> unverified = new ArrayList<>();
    for (StudentModelVersion version : versions) {
      try {
        verifier.verify(version);
      } catch (VerificationException e) {
        unverified.add(e.getMessage());
      }
    }
    List<String> failures = new ArrayList<>(lineage.problems());
    failures.addAll(unverified);
    if (resumed != kills) {
      failures.add("the trainer resumed after " + resumed + " of " + kills + " kills");
    }
    if (lineage.lost() > 0) {
      failures.add(lineage.lost() + " soft labels in no version's range");
    }
    if (lineage.duplicated() > 0) {
      failures.add(lineage.duplicated() + " soft labels in two versions' ranges");
    }
    if (versions.isEmpty()) {
      failures.add("no version was published");
    }
    if (lineage.records() != produced) {
      failures.add("the topic holds " + lineage.records() + " soft labels, the producer had " + produced
          + " acknowledged");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("topics", topics);
    details.put("softLabels", lineage.records());
    details.put("versions", lineage.versions());
    details.put("covered", lineage.covered());
    details.put("samplesConsumed", lineage.samplesConsumed());
    details.put("kills", killLog);
    details.put("lineageProblems", lineage.problems());
    details.put("unverifiedVersions", unverified);
    String notes = String.format(java.util.Locale.ROOT,
        "trials = SIGKILLs, survived = restarts that resumed; %d versions (v1..v%d) cover %,d soft labels",
        versions.size(),
        versions.isEmpty() ? 0 : Objects.requireNonNull(versions.get(versions.size() - 1)).getVersion(),
        lineage.covered());
    return new CaseResult(NAME, kills, resumed, lineage.lost(), lineage.duplicated(), failures.isEmpty(), notes,
        failures, details, (System.nanoTime() - started) / 1e9);
  }
}
