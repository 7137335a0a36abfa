package io.streamdistill.reliability.cases;

import io.streamdistill.datasets.MnistSource;
import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.audit.IdAudit;
import io.streamdistill.reliability.audit.TopicWatcher;
import io.streamdistill.reliability.process.Await;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.AvroBytes;
import io.streamdistill.reliability.traffic.MnistTraffic;
import io.streamdistill.reliability.traffic.PacedProducer;
import io.streamdistill.schemas.InputEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The teacher service (Kafka Streams, exactly_once_v2), a child JVM running {@code ./distill teacher}
 * with the real MNIST teacher, killed with SIGKILL at random moments while input events stream in and
 * restarted each time; once, in the middle, the broker itself is restarted under it. Then every input
 * event on the topic must have exactly one committed soft label per teacher: none lost, none twice.
 */
public final class TeacherSigkillCase implements ReliabilityCase {
  public static final String NAME = "teacher-sigkill-and-broker-restart";
  /** Input events a second: about a fifth of what the service labels here, so that it keeps up between kills. */
  private static final double RATE = 400;
  private static final String LABELLED = "labelled";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CaseResult run(CaseContext context) {
    long started = System.nanoTime();
    int kills = context.settings().teacherKills();
    int disruptions = kills + 1;
    // The broker restart comes in the middle of the kills.
    int brokerRestartAt = disruptions / 2;
    CaseTopics topics = CaseTopics.create(context.stack(), NAME);
    String applicationId = "reliability-teacher-" + Long.toHexString(context.settings().seed());
    Path state = context.dir().resolve("state");
    MnistSource images = MnistTraffic.testImages();
    List<Map<String, Object>> disruptionLog = new ArrayList<>();
    int survived = 0;
    long produced;
    try (AvroBytes<InputEvent> bytes = new AvroBytes<>(InputEvent.class, context.clientConfig());
        TopicWatcher watcher = new TopicWatcher(context.clientConfig(), topics.softLabels(), r -> LABELLED);
        PacedProducer inputs = new PacedProducer(NAME, context.clientConfig(), RATE, Long.MAX_VALUE,
            MnistTraffic.inputEvents(NAME, topics.inputEvents(), images, bytes))) {
      watcher.start();
      inputs.start();
      ServiceProcess teacher = Services.teacher(context, topics, applicationId, state, List.of());
      try {
        long labelledBefore = 0;
        for (int d = 0; d <= disruptions; d++) {
          // Working again: soft labels committed since the last disruption.
          long since = labelledBefore;
          ServiceProcess current = teacher;
          Await.until("soft labels committed after disruption " + d, Duration.ofMinutes(3),
              () -> watcher.count(LABELLED) > since, () -> "the teacher's log ends with:\n" + current.tail(15));
          if (d > 0) {
            survived++;
            context.progress("labelling again: %,d soft labels committed", watcher.count(LABELLED));
          }
          if (d == disruptions) {
            break;
          }
          Await.pause(context.random().nextLong(context.settings().killWindow().toMillis() + 1));
          if (d == brokerRestartAt) {
            context.progress("disruption %d/%d: restarting the broker under the running service", d + 1, disruptions);
            long at = System.nanoTime();
            context.stack().restartBroker();
            disruptionLog.add(Map.of("disruption", d + 1, "what", "broker restart",
                "restartMillis", (System.nanoTime() - at) / 1_000_000, "eventsSent", inputs.acked()));
          } else {
            long pid = teacher.pid();
            long age = teacher.ageMillis();
            teacher.kill();
            disruptionLog.add(Map.of("disruption", d + 1, "what", "SIGKILL", "pid", pid,
                "millisAfterStart", age, "eventsSent", inputs.acked()));
            context.progress("disruption %d/%d: SIGKILL of the teacher service (pid %d); %,d events so far", d + 1,
                disruptions, pid, inputs.acked());
            teacher = Services.teacher(context, topics, applicationId, state, List.of());
          }
          // Labels committed before the disruption but read late must not pass for labels committed after it.
          long disrupted = System.nanoTime();
          Await.until("the soft labels committed before disruption " + (d + 1) + " read", Duration.ofMinutes(3),
              () -> watcher.caughtUpSince(disrupted));
          labelledBefore = watcher.count(LABELLED);
        }
        inputs.stopAndFlush();
        produced = inputs.acked();
        context.progress("traffic stopped at %,d events; waiting for their soft labels", produced);
        ServiceProcess current = teacher;
        Await.until("a soft label for each of " + produced + " events", Duration.ofMinutes(3),
            () -> watcher.distinctKeys(LABELLED) >= produced,
            () -> watcher.distinctKeys(LABELLED) + " labelled; the teacher's log ends with:\n" + current.tail(15));
      } finally {
        teacher.stop(Duration.ofSeconds(40));
      }
    }
    return audit(context, topics, kills, survived, disruptions, produced, disruptionLog, started);
  }

  private static CaseResult audit(CaseContext context, CaseTopics topics, int kills, int survived, int disruptions,
      long produced, List<Map<String, Object>> disruptionLog, long started) {
    SoftLabelAudit audit = SoftLabelAudit.of(context, topics);
    IdAudit.Report ids = audit.ids();
    List<String> failures = new ArrayList<>();
    if (survived != disruptions) {
      failures.add("labelling resumed after " + survived + " of " + disruptions + " disruptions");
    }
    failures.addAll(audit.failures(produced));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("topics", topics);
    details.put("events", audit.events());
    details.put("softLabels", audit.softLabels());
    details.put("teacherKills", kills);
    details.put("brokerRestarts", 1);
    details.put("disruptions", disruptionLog);
    details.put("audit", ids);
    String notes = String.format(Locale.ROOT, "trials = %d SIGKILLs + 1 broker restart, survived = those after"
        + " which labelling resumed; %,d events, %,d soft labels",
        kills, audit.events(), audit.softLabels());
    return new CaseResult(NAME, disruptions, survived, ids.lost(), ids.duplicated(), failures.isEmpty(), notes,
        failures, details, (System.nanoTime() - started) / 1e9);
  }
}
