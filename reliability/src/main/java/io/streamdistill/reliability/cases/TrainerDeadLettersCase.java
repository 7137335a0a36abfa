package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.audit.TopicReader;
import io.streamdistill.reliability.process.Await;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.PacedProducer;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.StudentModelVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A trainer that can publish nothing (every soft label is bad, so every candidate waits) must still
 * write every bad record to the dead letters, once, with bounded memory: they go out in transactions
 * of their own at {@code --dead-letters-max-waiting} or {@code --dead-letters-max-wait}, with the
 * offsets they cover. The trainer is killed with SIGKILL at random moments, between and during those
 * transactions, and restarted; a restart reads again from the beginning (there is no version) and
 * must skip the bad records an earlier run already wrote.
 */
public final class TrainerDeadLettersCase implements ReliabilityCase {
  public static final String NAME = "trainer-dead-letters";
  private static final String MODEL = "reliability-dead-letters";
  /** Bad soft labels a second, and how many per run of the campaign. */
  private static final double RATE = 2_000;
  private static final int RECORDS = 30_000;
  private static final int RECORD_BYTES = 1_000;
  private static final int MAX_WAITING = 500;

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
    Keys.write(keys);
    List<Map<String, Object>> killLog = new ArrayList<>();
    int resumed = 0;
    long produced;
    long producerFailures;
    try (PacedProducer bad = new PacedProducer(NAME, context.clientConfig(), RATE, RECORDS, sequence -> {
      byte[] value = new byte[RECORD_BYTES];
      Arrays.fill(value, (byte) 0x7f); // magic byte 0x7f: not Confluent's framing
      return new ProducerRecord<>(topics.softLabels(), NAME + "-" + sequence, value);
    })) {
      bad.start();
      ServiceProcess trainer = startTrainer(context, topics, keys);
      try {
        for (int k = 1; k <= kills; k++) {
          trainer.awaitLog(Services.TRAINER_RESUMED, Duration.ofMinutes(2));
          if (k > 1) {
            resumed++;
          }
          // Each kill after this run has written some of its own (the k-th share of the stream), at a
          // random moment from there: between two dead-letter transactions or in one.
          long share = (long) k * RECORDS / (kills + 1);
          ServiceProcess running = trainer;
          Await.until(share + " dead letters", Duration.ofMinutes(2),
              () -> TopicReader.readAll(context.clientConfig(), topics.deadLetters()).size() >= share,
              () -> running.tail(15));
          Await.pause(context.random().nextLong(context.settings().killWindow().toMillis() + 1));
          long pid = trainer.pid();
          trainer.kill();
          long written = TopicReader.readAll(context.clientConfig(), topics.deadLetters()).size();
          killLog.add(Map.of("kill", k, "pid", pid, "badSent", bad.acked(), "deadLettersCommitted", written));
          context.progress("kill %d/%d: SIGKILL (pid %d); %,d bad soft labels sent, %,d dead letters committed",
              k, kills, pid, bad.acked(), written);
          trainer = startTrainer(context, topics, keys);
        }
        trainer.awaitLog(Services.TRAINER_RESUMED, Duration.ofMinutes(2));
        resumed++;
        bad.stopAndFlush();
        produced = bad.acked();
        producerFailures = bad.failed();
        context.progress("traffic stopped at %,d bad soft labels; waiting for their dead letters", produced);
        ServiceProcess last = trainer;
        Await.until("a dead letter for each bad soft label", Duration.ofMinutes(3),
            () -> TopicReader.readAll(context.clientConfig(), topics.deadLetters()).size() >= produced,
            () -> "the trainer's log ends with:\n" + last.tail(15));
      } finally {
        Services.stopTrainer(trainer);
      }
    }
    return audit(context, topics, kills, resumed, produced, producerFailures, killLog, started);
  }

  private static ServiceProcess startTrainer(CaseContext context, CaseTopics topics, Path keys) {
    return Services.trainer(context, topics, keys, MODEL, List.of("--publish-every", "100000",
        "--dead-letters-max-waiting", String.valueOf(MAX_WAITING), "--dead-letters-max-wait", "2s"));
  }

  private static CaseResult audit(CaseContext context, CaseTopics topics, int kills, int resumed, long produced,
      long producerFailures, List<Map<String, Object>> killLog, long started) {
    List<DeadLetter> letters = TopicReader.readValues(context.clientConfig(), topics.deadLetters(), DeadLetter.class);
    Map<String, Integer> perKey = new HashMap<>();
    Map<String, List<String>> where = new HashMap<>();
    for (DeadLetter letter : letters) {
      String key = letter.getKey() == null ? "(none)" : StandardCharsets.UTF_8.decode(letter.getKey().duplicate())
          .toString();
      perKey.merge(key, 1, Integer::sum);
      where.computeIfAbsent(key, k -> new ArrayList<>()).add(letter.getPartition() + "@" + letter.getOffset());
    }
    List<String> someTwice = where.entrySet().stream().filter(e -> e.getValue().size() > 1).limit(10)
        .map(e -> e.getKey() + " " + e.getValue()).toList();
    long duplicated = perKey.values().stream().mapToLong(c -> c - 1).sum();
    // What is on the topic is what must be dead-lettered (a send the producer gave up on never got there).
    long lost = 0;
    List<String> someLost = new ArrayList<>();
    List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> onTopic =
        TopicReader.readAll(context.clientConfig(), topics.softLabels());
    for (var record : onTopic) {
      String key = new String(record.key(), StandardCharsets.UTF_8);
      if (!perKey.containsKey(key)) {
        lost++;
        if (someLost.size() < 10) {
          someLost.add(key);
        }
      }
    }
    long withBytes = letters.stream().filter(l -> l.getValue() != null && l.getValue().remaining() == RECORD_BYTES)
        .count();
    List<String> failures = new ArrayList<>();
    if (resumed != kills) {
      failures.add("the trainer resumed after " + resumed + " of " + kills + " kills");
    }
    if (lost > 0) {
      failures.add(lost + " bad soft labels never dead-lettered");
    }
    if (duplicated > 0) {
      failures.add(duplicated + " dead letters written twice");
    }
    if (onTopic.size() != produced) {
      failures.add("the topic holds " + onTopic.size() + " bad soft labels, the producer had " + produced
          + " acknowledged");
    }
    if (withBytes != letters.size()) {
      failures.add((letters.size() - withBytes) + " dead letters without the original bytes");
    }
    if (TopicReader.latestValue(context.clientConfig(), topics.studentModels(), StudentModelVersion.class) != null) {
      failures.add("a version was published from bad soft labels");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("topics", topics);
    details.put("badSoftLabels", produced);
    details.put("sendsTheProducerGaveUpOn", producerFailures);
    details.put("deadLetters", letters.size());
    details.put("maxWaiting", MAX_WAITING);
    details.put("kills", killLog);
    details.put("someWrittenTwice", someTwice);
    details.put("someLost", someLost);
    String notes = String.format(Locale.ROOT, "trials = SIGKILLs, survived = restarts that resumed; %,d bad soft"
        + " labels of %,d bytes, no version publishable, dead letters written at most %d at a time: %,d written",
        produced, RECORD_BYTES, MAX_WAITING, letters.size());
    return new CaseResult(NAME, kills, resumed, lost, duplicated, failures.isEmpty(), notes, failures, details,
        (System.nanoTime() - started) / 1e9);
  }
}
