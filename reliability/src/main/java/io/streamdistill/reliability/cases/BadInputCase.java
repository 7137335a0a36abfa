package io.streamdistill.reliability.cases;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.reliability.CaseContext;
import io.streamdistill.reliability.CaseResult;
import io.streamdistill.reliability.ReliabilityCase;
import io.streamdistill.reliability.audit.DeadLetterAudit;
import io.streamdistill.reliability.audit.IdAudit;
import io.streamdistill.reliability.audit.LineageAudit;
import io.streamdistill.reliability.audit.TopicReader;
import io.streamdistill.reliability.audit.TopicWatcher;
import io.streamdistill.reliability.process.Await;
import io.streamdistill.reliability.process.ServiceProcess;
import io.streamdistill.reliability.traffic.AvroBytes;
import io.streamdistill.reliability.traffic.BadInputs;
import io.streamdistill.reliability.traffic.BadRecord;
import io.streamdistill.reliability.traffic.BadSoftLabels;
import io.streamdistill.reliability.traffic.MnistTraffic;
import io.streamdistill.reliability.traffic.PacedProducer;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Bad records at both stages of the running pipeline: bad input events, interleaved with good ones,
 * into the teacher service; and bad soft labels, interleaved with the teacher's good ones, into the
 * trainer that learns from its output. Every bad record must end in the dead-letter topic with a
 * reason, neither service may die, and every good record must go through: one soft label per good
 * event, and a lineage that covers every soft label once.
 *
 * <p>Why the trainer runs with {@code --min-agreement 0 --tolerance 1}: its dead letters are written in
 * the transaction of a version, so a gate that held versions back would hold the dead letters back
 * with them. The gate is not what this case tests.
 */
public final class BadInputCase implements ReliabilityCase {
  public static final String NAME = "bad-input";
  /** The teacher's payload limit here: small enough that oversized records still fit the broker's limit. */
  private static final int MAX_PAYLOAD_BYTES = 65_536;
  private static final String GOOD = "good";
  private static final String MODEL = "reliability-bad-input";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CaseResult run(CaseContext context) {
    long started = System.nanoTime();
    int bad = context.settings().badRecords();
    int good = context.settings().goodRecords();
    CaseTopics topics = CaseTopics.create(context.stack(), NAME);
    Path keys = context.dir().resolve("keys");
    Keys.write(keys);
    String teacherId = MnistTraffic.teacherId();
    MnistSource images = MnistTraffic.testImages();

    List<ProducerRecord<String, byte[]>> inputRecords = new ArrayList<>();
    List<ProducerRecord<String, byte[]>> labelRecords = new ArrayList<>();
    List<String> goodIds = new ArrayList<>();
    List<String> badInputKeys = new ArrayList<>();
    List<String> badLabelKeys = new ArrayList<>();
    try (AvroBytes<InputEvent> events = new AvroBytes<>(InputEvent.class, context.clientConfig());
        AvroBytes<SoftLabel> labels = new AvroBytes<>(SoftLabel.class, context.clientConfig())) {
      Example image = images.get(0);
      // A valid record of the other stage's schema, for the "other topic's schema" kind of each stage.
      byte[] aSoftLabel = labels.of(topics.softLabels(), MnistTraffic.softLabel(MnistTraffic.event("probe", image,
          "reliability"), teacherId, "reliability", new float[10]));
      byte[] anInputEvent = events.of(topics.inputEvents(), MnistTraffic.event("probe", image, "reliability"));
      BadInputs badInputs = new BadInputs(topics.inputEvents(), events, aSoftLabel, image, MAX_PAYLOAD_BYTES,
          context.random());
      for (int n = 0; n < bad; n++) {
        BadRecord record = badInputs.next(n);
        badInputKeys.add(record.key());
        inputRecords.add(new ProducerRecord<>(topics.inputEvents(), record.key(), record.value()));
      }
      for (int n = 0; n < good; n++) {
        String id = GOOD + "-" + n;
        goodIds.add(id);
        inputRecords.add(new ProducerRecord<>(topics.inputEvents(), id, events.of(topics.inputEvents(),
            MnistTraffic.event(id, images.get(1 + n % (images.size() - 1)), "reliability"))));
      }
      Collections.shuffle(inputRecords, context.random());
      BadSoftLabels badLabels = new BadSoftLabels(topics.softLabels(), labels, anInputEvent, image, teacherId,
          context.random());
      for (int n = 0; n < bad; n++) {
        BadRecord record = badLabels.next(n);
        badLabelKeys.add(record.key());
        labelRecords.add(new ProducerRecord<>(topics.softLabels(), record.key(), record.value()));
      }
    }

    Map<String, Object> run = new LinkedHashMap<>();
    int alive;
    try (TopicWatcher softLabels = new TopicWatcher(context.clientConfig(), topics.softLabels(),
            r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(GOOD + "-") ? GOOD : null);
        AvroBytes<DeadLetter> letters = new AvroBytes<>(DeadLetter.class, context.clientConfig());
        TopicWatcher deadLetters = new TopicWatcher(context.clientConfig(), topics.deadLetters(),
            r -> service(letters, topics.deadLetters(), r));
        ServiceProcess teacher = Services.teacher(context, topics, "reliability-bad-input", context.dir()
            .resolve("state"), List.of("--max-payload-bytes", Integer.toString(MAX_PAYLOAD_BYTES)));
        ServiceProcess trainer = Services.trainer(context, topics, keys, MODEL, List.of("--teacher", teacherId,
            "--publish-every", "100000", "--publish-interval", "2s", "--min-agreement", "0", "--tolerance", "1",
            "--min-held-out", "20"))) {
      softLabels.start();
      deadLetters.start();
      teacher.awaitLog("teacher service started", Duration.ofMinutes(2));
      trainer.awaitLog(Services.TRAINER_RESUMED, Duration.ofMinutes(2));
      context.progress("sending %,d bad and %,d good input events, and %,d bad soft labels", bad, good, bad);
      try (PacedProducer inputs = new PacedProducer(NAME + "-inputs", context.clientConfig(), 500,
              inputRecords.size(), sequence -> inputRecords.get((int) sequence));
          PacedProducer badSoftLabels = new PacedProducer(NAME + "-labels", context.clientConfig(), 250,
              labelRecords.size(), sequence -> labelRecords.get((int) sequence))) {
        inputs.start();
        badSoftLabels.start();
        Await.until("the records to be sent", Duration.ofMinutes(2), () -> inputs.done() && badSoftLabels.done());
        inputs.stopAndFlush();
        badSoftLabels.stopAndFlush();
        run.put("inputsAcknowledged", inputs.acked());
        run.put("badSoftLabelsAcknowledged", badSoftLabels.acked());
      }
      Await.until("a soft label for each good event and a dead letter for each bad one", Duration.ofMinutes(3),
          () -> softLabels.distinctKeys(GOOD) >= good && deadLetters.count(TEACHER_SERVICE) >= bad,
          () -> softLabels.distinctKeys(GOOD) + " good labelled, " + deadLetters.count(TEACHER_SERVICE)
              + " dead letters; the teacher's log ends with:\n" + teacher.tail(15));
      context.progress("teacher service: %,d good events labelled, %,d dead letters", softLabels.distinctKeys(GOOD),
          deadLetters.count(TEACHER_SERVICE));
      Map<Integer, Long> pastLast = pastLastRecord(TopicReader.readAll(context.clientConfig(), topics.softLabels()));
      Await.until("a version trained through " + pastLast + " and a dead letter for each bad soft label",
          Duration.ofMinutes(3), () -> deadLetters.count(STUDENT_TRAINER) >= bad && reaches(context, topics, pastLast),
          () -> deadLetters.count(STUDENT_TRAINER) + " trainer dead letters; the trainer's log ends with:\n"
              + trainer.tail(15));
      context.progress("trainer: %,d dead letters, lineage through %s", deadLetters.count(STUDENT_TRAINER), pastLast);
      alive = (teacher.isAlive() ? 1 : 0) + (trainer.isAlive() ? 1 : 0);
      run.put("teacherAlive", teacher.isAlive());
      run.put("trainerAlive", trainer.isAlive());
      Services.stopTrainer(trainer);
    }
    return audit(context, topics, goodIds, badInputKeys, badLabelKeys, alive, run, started);
  }

  private static final String TEACHER_SERVICE = "teacher-service";
  private static final String STUDENT_TRAINER = "student-trainer";

  /** The service that wrote a dead letter (its category in the watcher). */
  private static String service(AvroBytes<DeadLetter> letters, String topic, ConsumerRecord<byte[], byte[]> record) {
    try {
      return letters.read(topic, record.value()).getService();
    } catch (RuntimeException e) {
      return "(undecodable dead letter)";
    }
  }

  /**
   * Per partition, the offset after the last record: the trainer's lineage must reach it. Not the end
   * offset: the teacher's transaction markers may follow, which a version need not name.
   */
  private static Map<Integer, Long> pastLastRecord(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<Integer, Long> past = new TreeMap<>();
    records.forEach(r -> past.merge(r.partition(), r.offset() + 1, Math::max));
    return past;
  }

  private static boolean reaches(CaseContext context, CaseTopics topics, Map<Integer, Long> pastLast) {
    StudentModelVersion latest = TopicReader.latestValue(context.clientConfig(), topics.studentModels(),
        StudentModelVersion.class);
    if (latest == null) {
      return false;
    }
    Map<Integer, Long> through = LineageAudit.Version.of(latest, topics.softLabels()).through();
    return pastLast.entrySet().stream().allMatch(e -> through.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  private static CaseResult audit(CaseContext context, CaseTopics topics, List<String> goodIds,
      List<String> badInputKeys, List<String> badLabelKeys, int alive, Map<String, Object> run, long started) {
    List<ConsumerRecord<byte[], byte[]>> softLabelRecords = TopicReader.readAll(context.clientConfig(),
        topics.softLabels());
    List<String> labelledGood = new ArrayList<>();
    long badLabelled = 0;
    for (ConsumerRecord<byte[], byte[]> record : softLabelRecords) {
      String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
      if (key.startsWith(GOOD + "-")) {
        labelledGood.add(key);
      } else if (key.startsWith("bad-input/")) {
        badLabelled++;
      }
    }
    IdAudit.Report goodAudit = IdAudit.audit(goodIds, labelledGood);
    List<DeadLetter> letters = TopicReader.readValues(context.clientConfig(), topics.deadLetters(), DeadLetter.class);
    List<DeadLetter> teacherLetters = letters.stream().filter(l -> TEACHER_SERVICE.equals(l.getService())).toList();
    List<DeadLetter> trainerLetters = letters.stream().filter(l -> STUDENT_TRAINER.equals(l.getService())).toList();
    long goodDeadLettered = letters.stream().filter(l -> l.getKey() != null
        && new String(io.streamdistill.schemas.AvroValues.bytes(l.getKey()), StandardCharsets.UTF_8)
        .startsWith(GOOD + "-")).count();
    DeadLetterAudit.Report teacherAudit = DeadLetterAudit.audit(badInputKeys, teacherLetters, BadRecord::kindOf);
    DeadLetterAudit.Report trainerAudit = DeadLetterAudit.audit(badLabelKeys, trainerLetters, BadRecord::kindOf);
    List<StudentModelVersion> versions = TopicReader.readValues(context.clientConfig(), topics.studentModels(),
        StudentModelVersion.class);
    LineageAudit.Report lineage = LineageAudit.audit(versions.stream()
        .map(v -> LineageAudit.Version.of(v, topics.softLabels())).toList(), TopicReader.offsets(softLabelRecords));

    long lost = goodAudit.lost() + lineage.lost() + teacherAudit.missing() + trainerAudit.missing();
    long duplicated = goodAudit.duplicated() + lineage.duplicated() + teacherAudit.duplicated()
        + trainerAudit.duplicated();
    List<String> failures = new ArrayList<>();
    if (alive != 2) {
      failures.add("only " + alive + " of the 2 services survived: " + run);
    }
    addIf(failures, goodAudit.lost(), "good events without a soft label, e.g. " + goodAudit.lostExamples());
    addIf(failures, goodAudit.duplicated(), "extra soft labels of good events, e.g. " + goodAudit.duplicatedExamples());
    addIf(failures, goodDeadLettered, "good records dead-lettered");
    addIf(failures, badLabelled, "bad input events that got a soft label");
    addIf(failures, teacherAudit.missing(), "bad input events without a dead letter, e.g. "
        + teacherAudit.missingExamples());
    addIf(failures, teacherAudit.duplicated(), "bad input events dead-lettered twice");
    addIf(failures, trainerAudit.missing(), "bad soft labels without a dead letter, e.g. "
        + trainerAudit.missingExamples());
    addIf(failures, trainerAudit.duplicated(), "bad soft labels dead-lettered twice");
    addIf(failures, lineage.lost(), "soft labels in no version's range (the trainer did not consume them)");
    addIf(failures, lineage.duplicated(), "soft labels in two versions' ranges");
    failures.addAll(lineage.problems());
    if (lineage.samplesDead() != trainerLetters.size()) {
      failures.add("the versions count " + lineage.samplesDead() + " dead soft labels, the topic holds "
          + trainerLetters.size() + " of the trainer's");
    }
    Map<String, Object> details = new LinkedHashMap<>(run);
    details.put("topics", topics);
    details.put("goodEvents", goodIds.size());
    details.put("goodAudit", goodAudit);
    details.put("teacherDeadLetters", teacherAudit);
    details.put("trainerDeadLetters", trainerAudit);
    details.put("lineage", Map.of("versions", lineage.versions(), "softLabels", lineage.records(),
        "samplesConsumed", lineage.samplesConsumed(), "samplesDead", lineage.samplesDead(),
        "goodConsumed", lineage.samplesConsumed() - lineage.samplesDead()));
    String notes = String.format(Locale.ROOT, "trials = services fed bad records, survived = alive at the end;"
        + " %,d bad inputs (%d kinds) and %,d bad soft labels (%d kinds): %,d dead letters, %d reasons;"
        + " %,d good events labelled once, %,d soft labels consumed",
        badInputKeys.size(), teacherAudit.byKind().size(), badLabelKeys.size(), trainerAudit.byKind().size(),
        teacherAudit.deadLettered() + trainerAudit.deadLettered(),
        teacherAudit.byReason().size() + trainerAudit.byReason().size(), goodAudit.expected() - goodAudit.lost(),
        lineage.samplesConsumed());
    return new CaseResult(NAME, 2, alive, lost, duplicated, failures.isEmpty(), notes, failures, details,
        (System.nanoTime() - started) / 1e9);
  }

  private static void addIf(List<String> failures, long count, String what) {
    if (count > 0) {
      failures.add(count + " " + what);
    }
  }
}
