package io.streamdistill.reliability.cases;

import io.streamdistill.datasets.MnistSource;
import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.audit.TopicWatcher;
import io.streamdistill.reliability.process.Await;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.AvroBytes;
import io.streamdistill.reliability.traffic.MnistTraffic;
import io.streamdistill.reliability.traffic.PacedProducer;
import io.streamdistill.schemas.InputEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * Several teacher-service instances (one application id, six input partitions) under a steady stream, while the
 * group changes: a third instance joins two, one is SIGKILLed, one is shut down cleanly, and one joins again on
 * the killed one's state directory, so that tasks move with micro-batches waiting in their stores and model calls
 * in flight. After each change the case measures how long until labelling has resumed on every partition: each
 * has a soft label of an event sent after the change (the bound: {@link #RESUME_BOUND}); at the end every input
 * event must have exactly one committed soft label.
 */
public final class TeacherScaleOutCase implements ReliabilityCase {
  public static final String NAME = "teacher-scale-out";
  /** Input events a second, for instances sharing two cores. */
  private static final double RATE = 200;
  private static final int PARTITIONS = 6;
  /** After a change in the group, every partition labels again within this (session timeout 6 s). */
  static final Duration RESUME_BOUND = Duration.ofSeconds(60);
  /** What a teacher service logs when its Kafka Streams has started (and joins the group). */
  private static final String STARTED_LINE = "teacher service started";
  /** Before each change, the labels catch up with the traffic within this. */
  private static final Duration CATCH_UP_BOUND = Duration.ofMinutes(2);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CaseResult run(CaseContext context) {
    long started = System.nanoTime();
    CaseTopics topics = CaseTopics.create(context.stack(), NAME, PARTITIONS);
    String applicationId = "reliability-scale-" + Long.toHexString(context.settings().seed());
    MnistSource images = MnistTraffic.testImages();
    List<Map<String, Object>> changes = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Map<String, ServiceProcess> running = new LinkedHashMap<>();
    long produced;
    try (AvroBytes<InputEvent> bytes = new AvroBytes<>(InputEvent.class, context.clientConfig());
        // Soft labels by partition: an event's soft label goes to its input partition's number (same key, same
        // partitioner, same partition count).
        TopicWatcher watcher = new TopicWatcher(context.clientConfig(), topics.softLabels(), r -> "p" + r.partition());
        PacedProducer inputs = new PacedProducer(NAME, context.clientConfig(), RATE, Long.MAX_VALUE,
            MnistTraffic.inputEvents(NAME, topics.inputEvents(), images, bytes))) {
      watcher.start();
      inputs.start();
      try {
        for (String instance : List.of("a", "b")) {
          running.put(instance, start(context, topics, applicationId, instance));
        }
        Await.until("soft labels from the first two instances", Duration.ofMinutes(3),
            () -> labelled(watcher) > 0, () -> tails(running));
        List<String> steps = List.of("join c", "SIGKILL a", "stop b cleanly", "join a again");
        for (String step : steps) {
          // Each change starts from a steady state: the backlog of the last change (or of the first start,
          // 20 s of traffic) drained, so that the time to resume is the change's and not the backlog's.
          long drainStarted = System.nanoTime();
          Await.until("labelling to catch up with the traffic before '" + step + "'", CATCH_UP_BOUND,
              () -> labelled(watcher) >= inputs.acked() - (long) RATE,
              () -> lag(watcher, inputs.acked()) + tails(running));
          long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;
          context.progress("caught up with the traffic before '%s' in %,d ms", step, drainMillis);
          Await.pause(3_000 + context.random().nextLong(2_000));
          // A kill or a stop changes the group when it is made; a join when the new instance's Kafka Streams
          // starts (after its JVM and model have loaded, seconds later): the clock starts then.
          if (step.startsWith("join")) {
            String instance = step.equals("join c") ? "c" : "a";
            ServiceProcess joining = start(context, topics, applicationId, instance);
            running.put(instance, joining);
            joining.awaitLog(STARTED_LINE, Duration.ofMinutes(2));
          }
          long sentBefore = inputs.acked();
          long at = System.nanoTime();
          if (step.equals("SIGKILL a")) {
            running.remove("a").kill();
          } else if (step.equals("stop b cleanly")) {
            running.remove("b").stop(Duration.ofSeconds(40));
          }
          context.progress("%s (%,d events sent); %d instances running", step, sentBefore, running.size());
          long[] before = sentPerPartition(sentBefore);
          Await.until("every partition labelling again after '" + step + "'", RESUME_BOUND.plusMinutes(1),
              () -> resumed(watcher, before), () -> behind(watcher, before) + tails(running));
          long millis = (System.nanoTime() - at) / 1_000_000;
          changes.add(Map.of("change", step, "eventsSentBefore", sentBefore, "resumedMillis", millis,
              "instances", running.size(), "caughtUpBeforeMillis", drainMillis));
          context.progress("%s: every partition labelled an event sent after it %,d ms later", step, millis);
          if (millis > RESUME_BOUND.toMillis()) {
            failures.add("after '" + step + "' labelling took " + millis + " ms to resume on every partition, over "
                + RESUME_BOUND.toMillis());
          }
        }
        inputs.stopAndFlush();
        produced = inputs.acked();
        context.progress("traffic stopped at %,d events; waiting for their soft labels", produced);
        Await.until("a soft label for each of " + produced + " events", Duration.ofMinutes(3),
            () -> labelled(watcher) >= produced, () -> labelled(watcher) + " labelled; " + tails(running));
      } finally {
        running.values().forEach(p -> p.stop(Duration.ofSeconds(40)));
      }
    }
    SoftLabelAudit audit = SoftLabelAudit.of(context, topics);
    failures.addAll(audit.failures(produced));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("topics", topics);
    details.put("partitions", PARTITIONS);
    details.put("events", audit.events());
    details.put("softLabels", audit.softLabels());
    details.put("changes", changes);
    details.put("resumeBoundMillis", RESUME_BOUND.toMillis());
    details.put("standbyReplicas", context.settings().standbyReplicas());
    details.put("audit", audit.ids());
    long within = changes.stream().filter(c -> (long) c.get("resumedMillis") <= RESUME_BOUND.toMillis()).count();
    String notes = String.format(Locale.ROOT, "trials = %d changes of the group (join, SIGKILL, clean stop, join),"
        + " survived = those after which every partition labelled again within %d s; %,d events, %,d soft labels;"
        + " standby replicas %d", changes.size(), RESUME_BOUND.toSeconds(), audit.events(), audit.softLabels(),
        context.settings().standbyReplicas());
    return new CaseResult(NAME, 4, (int) within, audit.ids().lost(), audit.ids().duplicated(), failures.isEmpty(),
        notes, failures, details, (System.nanoTime() - started) / 1e9);
  }

  /** Distinct events labelled, over all partitions. */
  private static long labelled(TopicWatcher watcher) {
    long sum = 0;
    for (int p = 0; p < PARTITIONS; p++) {
      sum += watcher.distinctKeys("p" + p);
    }
    return sum;
  }

  /** The events sent and not yet labelled. */
  private static String lag(TopicWatcher watcher, long sent) {
    return String.format(Locale.ROOT, "%,d events sent, %,d labelled%n", sent, labelled(watcher));
  }

  /** The partitions that have not labelled an event sent after the change: labelled so far against sent before. */
  private static String behind(TopicWatcher watcher, long[] before) {
    StringBuilder text = new StringBuilder("partitions still behind (labelled / sent before the change):");
    for (int p = 0; p < PARTITIONS; p++) {
      long labelled = watcher.distinctKeys("p" + p);
      if (labelled <= before[p]) {
        text.append(String.format(Locale.ROOT, " p%d %,d/%,d", p, labelled, before[p]));
      }
    }
    return text.append('\n').toString();
  }

  /** How many of the first {@code sent} events went to each partition (the producer's default partitioner). */
  private static long[] sentPerPartition(long sent) {
    long[] counts = new long[PARTITIONS];
    for (long sequence = 0; sequence < sent; sequence++) {
      byte[] key = (NAME + "-" + sequence).getBytes(StandardCharsets.UTF_8);
      counts[Utils.toPositive(Utils.murmur2(key)) % PARTITIONS]++;
    }
    return counts;
  }

  /** Every partition has more soft labels than events sent to it before the change: it labels new ones again. */
  private static boolean resumed(TopicWatcher watcher, long[] before) {
    for (int p = 0; p < PARTITIONS; p++) {
      if (watcher.distinctKeys("p" + p) <= before[p]) {
        return false;
      }
    }
    return true;
  }

  private static ServiceProcess start(CaseContext context, CaseTopics topics, String applicationId, String instance) {
    int standby = context.settings().standbyReplicas();
    return Services.teacher(context, topics, applicationId, context.dir().resolve("state-" + instance),
        standby == 0 ? List.of() : List.of("-X", "num.standby.replicas=" + standby));
  }

  private static String tails(Map<String, ServiceProcess> running) {
    StringBuilder tails = new StringBuilder();
    running.forEach((name, p) -> tails.append("instance ").append(name).append(":\n").append(p.tail(12)).append('\n'));
    return tails.toString();
  }
}
