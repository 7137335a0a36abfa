package io.streamdistill.demo;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.config.Durations;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.edge.EdgeConfig;
import io.streamdistill.edge.EdgeNode;
import io.streamdistill.producers.KeyChoice;
import io.streamdistill.producers.LabelPolicy;
import io.streamdistill.producers.ProduceCommand;
import io.streamdistill.producers.Replay;
import io.streamdistill.producers.ReplayOptions;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.TeacherService;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.streams.LabellingConfig;
import io.streamdistill.trainer.AutoStudent;
import io.streamdistill.trainer.ImageShape;
import io.streamdistill.trainer.StudentPresets;
import io.streamdistill.trainer.TrainerConfig;
import io.streamdistill.trainer.stream.OnlineTrainer;
import io.streamdistill.trainer.stream.TrainerStatus;
import io.streamdistill.trainer.stream.VersionGate;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole loop in one run, on a stack the caller owns: a producer replays a data set into
 * input-events, the teacher service labels it (Kafka Streams, exactly once), the trainer learns and
 * publishes signed versions, an edge node hot-swaps them and answers a stream of requests with the
 * cascade on; the edge's uncertain requests go back to input-events. While it runs, a progress line
 * every second; at the end, the {@link DemoReport}.
 *
 * <p>Every part is the real one, wired as the services wire themselves; only the request stream is
 * driven from here (held-out examples the student never learns from: the test split of the user's
 * file, the mail teacher's test split, MNIST's test images). When the scenario names no teacher, one
 * is trained from the labelled file first ({@code train-teacher}'s path, cached). {@link #stop()}
 * (Ctrl-C) ends the run early and still reports.
 *
 * <p>Its length (about 400 lines): the order in which the parts start, run and stop is the demo, and
 * reads best in one place; each part is started by its own service's type, the requests are {@link
 * RequestStream}'s, the teacher's baseline {@link TeacherBaseline}'s, and what the run saw is {@link
 * DemoRecorder}'s and {@link DemoReport}'s.
 */
public final class Demo {
  private static final String TEACHER_GROUP = "distill-demo-teacher";
  /** How long the teacher service gets, once the producers stopped, to label what they sent. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
  private final DemoSettings settings;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile String unsettled;
  private DemoData data;

  private final SourceOptions sources;

  /** A run of {@code settings}; files are read with {@code sources}' column options. */
  public Demo(DemoSettings settings, SourceOptions sources) {
    this.settings = settings;
    this.sources = sources;
  }

  /** A run of a preset or of a file whose columns need no options (JSON Lines with the usual names). */
  public Demo(DemoSettings settings) {
    this(settings, new SourceOptions());
  }

  /**
   * Reads the data set now, before the stack starts, so that a mistake in the file or its options is
   * said at once; {@link #run} then uses it. Optional: {@code run} reads it when this was not called.
   *
   * @throws IllegalArgumentException what is wrong with the options for this file (a missing column), or
   *     with the teacher directory for it
   * @throws io.streamdistill.teacher.model.TeacherException when the teacher directory cannot be read
   */
  public void openData(Consumer<String> progress) {
    data = DemoData.open(settings.scenario(), sources, progress);
    String teacher = settings.scenario().teacher();
    if (teacher == null) {
      data.requireTrainable();
    }
    if (teacher != null && !TeacherCatalog.isPreset(teacher)) {
      // A teacher directory's teacher.json, read (not loaded): whether it fits the data is said now too.
      data.requireFits(TeacherDirectory.read(TeacherCatalog.resolve(teacher)), teacher);
    }
    String student = settings.scenario().student();
    if (!AutoStudent.NAME.equals(student)) {
      // A student named for the user's file (a preset or a spec file): whether it reads the file's payload too.
      data.requireStudentFits(StudentPresets.resolve(student), student);
    }
  }

  /** The thread training the teacher for the run while it does, which {@link #stop} interrupts; else null. */
  private volatile Thread teacherTraining;

  /**
   * Ends the run at the next check (from any thread); the report covers what happened so far. A teacher
   * being trained for the run is interrupted (its epochs can take minutes).
   */
  public void stop() {
    stopped.set(true);
    Thread training = teacherTraining;
    if (training != null) {
      training.interrupt();
    }
  }

  /** The teacher trained for the run (its directory), or an IllegalStateException when {@link #stop} came first. */
  String trainTeacher(DemoData data, Scenario scenario, Consumer<String> progress) {
    teacherTraining = Thread.currentThread();
    try {
      if (stopped.get()) {
        throw new IllegalStateException("stopped before the teacher was trained");
      }
      return data.trainTeacher(scenario, progress).toString();
    } catch (RuntimeException e) {
      if (stopped.get()) {
        throw new IllegalStateException("stopped while the teacher trained (" + e.getMessage() + "): no teacher was"
            + " written, the next run trains it again", e);
      }
      throw e;
    } finally {
      teacherTraining = null;
      if (stopped.get()) {
        Thread.interrupted(); // a stop between the training's end and here: the stack still closes after this
      }
    }
  }

  /**
   * Requests the edge answers before a settled run ends (all of them when the request examples are
   * fewer): a small data set settles within seconds, and its figures rested on the 22 requests asked by
   * then (a new user's 534-row file).
   */
  static final int ENOUGH_ANSWERS = 1_000;

  public DemoReport run(LocalStack stack, Consumer<String> progress) throws Exception {
    long started = System.nanoTime();
    Scenario scenario = settings.scenario();
    stack.createTopics(LocalStack.defaultTopics(2));
    Map<String, Object> client = stack.clientConfig();

    DemoData data = this.data != null ? this.data : DemoData.open(scenario, sources, progress);
    String teacherName = scenario.teacher() != null ? scenario.teacher() : trainTeacher(data, scenario, progress);
    // --max-duration bounds the loop: a teacher trained for the run has its own limit (--teacher-max-time), and
    // one that took ten minutes must not leave the loop five.
    long loopStarted = System.nanoTime();
    progress.accept("Loading the teacher " + teacherName
        + (TeacherCatalog.isPreset(teacherName) ? " (the built-in ones are trained and cached on first use)..."
            : "..."));

    KeyPair keys = SigningKeys.generate();
    String model = "demo-" + scenario.name().replaceAll("[^A-Za-z0-9._-]", "-");
    DemoRecorder recorder = new DemoRecorder(started);
    Path state = Files.createTempDirectory("distill-demo-streams");
    try (Teacher teacher = TeacherCatalog.load(teacherName)) {
      data.requireFits(teacher.descriptor(), teacherName);
      recorder.teacher(teacher.descriptor().id(),
          teacher.descriptor().metrics().getOrDefault("test.accuracy", Double.NaN));
      boolean text = teacher.descriptor().takesText();
      PrometheusMeterRegistry teacherMeters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      LabellingConfig labelling = LabellingConfig.defaults()
          .withBatching(text ? 16 : 64, Duration.ofMillis(50))
          .withEmbeddings(false);
      TeacherService.Settings teacherSettings = TeacherService.Settings.defaults(TEACHER_GROUP)
          .withLabelling(labelling).withStateDir(state);
      OnlineTrainer trainer = null;
      Thread training = null;
      try (TeacherService teacherService = TeacherService.start(List.of(teacher), teacherSettings, client,
          teacherMeters)) {
        int replayed = data.replayed().size();
        if (settings.events() == 0 && (long) DemoSettings.DEFAULT_PASSES * replayed > DemoSettings.MAX_DEFAULT_EVENTS) {
          progress.accept(String.format(Locale.ROOT, "Replaying %,d events, a shuffled sample of the %,d examples"
              + " (a large file: the default keeps the run to minutes; --events N replays more).",
              DemoSettings.MAX_DEFAULT_EVENTS, replayed));
        }
        ReplayRun run = startReplay(data.replayed(), data.all().imageShape().length > 0, client);
        Replay replay = run.replay();
        Thread producing = new Thread(() -> {
          try (run) {
            recorder.replayDone(replay.run((sent, failed, late, rate) -> recorder.producedSoFar(sent)));
          }
        }, "demo-producer");
        producing.start();
        RequestStream requestStream = null;
        Thread requesting = null;
        try {
          StudentSpec spec = DemoStudent.resolve(scenario.student(), client, model,
              ImageShape.of(data.all().imageShape()), progress,
              DemoStudent.giveUp(stopped::get, loopStarted + settings.maxDuration().toNanos(),
                  Durations.format(settings.maxDuration()), teacherService::eventsLabelled,
                  teacherService::eventsDeadLettered, teacherService::teacherOutage, progress, client));
          // The trainer's defaults for the student's kind (learning rate, T, α), as ./distill train's.
          TrainerConfig trainerConfig = TrainerConfig.builder(model, spec, keys)
              .batchSize(TrainerConfig.DEFAULT_BATCH_SIZE)
              .publishEvery(settings.publishEvery(), settings.publishInterval())
              .heldOut(10, 1_000)
              .gate(settings.gate())
              .build();
          trainer = new OnlineTrainer(trainerConfig, client, new SimpleMeterRegistry(),
              version -> recorder.published(version));
          training = new Thread(trainer, "demo-trainer");
          AtomicReference<Throwable> trainerFailure = new AtomicReference<>();
          training.setUncaughtExceptionHandler((thread, e) -> trainerFailure.set(e));
          training.start();
          EdgeConfig edgeConfig = EdgeConfig.defaults("demo-edge", model, List.of(keys.getPublic()))
              .withCascade(settings.cascadeThreshold(),
                  URI.create("http://127.0.0.1:" + teacherService.httpPort() + "/predict"), Duration.ofSeconds(2))
              .withSampling(0.01, 10_000)
              .withClientConfig(client);
          try (EdgeNode edge = EdgeNode.start(edgeConfig, new SimpleMeterRegistry())) {
            requestStream = new RequestStream(edge, data.requests(), settings.requestsPerSecond(), recorder);
            requesting = new Thread(requestStream, "demo-requests");
            requesting.start();
            try (Admin admin = Admin.create(client)) {
              watch(admin, TEACHER_GROUP, trainerConfig.groupId(), trainer, training, trainerFailure::get, edge,
                  teacherService, recorder, progress, loopStarted, Math.min(data.requests().size(), ENOUGH_ANSWERS));
            }
          }
          TrainerStatus status = trainer.status();
          long inputsDeadLettered = teacherService.eventsDeadLettered();
          recorder.deadLetters(inputsDeadLettered, inputsDeadLettered == 0 ? ""
              : DemoStudent.firstDeadLetterReason(client, LabellingConfig.SERVICE), status.deadLetters(),
              status.lastDeadLetterReason());
        } finally {
          replay.stop();
          if (requestStream != null) {
            requestStream.stop();
            requesting.join(30_000);
          }
          producing.join(30_000);
          if (!stopped.get()) {
            drainTeacher(client, progress);
          }
          if (trainer != null) {
            trainer.close();
            training.join(60_000);
          }
        }
      }
      if (stopped.get()) {
        // The JVM is shutting down: native libraries may be torn down under a long scoring run (ONNX Runtime
        // crashed the JVM there, and no report was written). The report goes without the baseline.
        progress.accept("Stopped early: the teacher alone is not scored on the requests.");
      } else {
        TeacherBaseline.score(teacher, data.requests(), recorder, progress);
        String rare = recorder.rareClassNote(data.requests());
        if (rare != null) {
          progress.accept(rare);
        }
      }
    } finally {
      // The stream's state served this run only.
      io.streamdistill.datasets.CacheDirectories.deleteRecursively(state);
    }
    progress.accept("Writing the report...");
    DemoReport report = recorder.report(settings);
    report.write(settings.out());
    return report;
  }

  /**
   * Progress once a second until the loop has settled (or the time is up, or stop()): every replayed
   * event labelled by the teacher service, every one of those soft labels in a published version
   * (the trainer's offsets are committed only with a version), that version served at the edge, and
   * {@code enoughAnswers} requests answered; or, instead of the version with every soft label, the gate
   * held a candidate trained on all of them as no better than the version the edge serves. The edge's
   * own feedback keeps arriving meanwhile; it does not hold the end back.
   */
  private void watch(Admin admin, String teacherGroup, String trainerGroup, OnlineTrainer trainer, Thread training,
      Supplier<Throwable> trainerFailure, EdgeNode edge, TeacherService teacher,
      DemoRecorder recorder, Consumer<String> progress, long loopStarted, long enoughAnswers) throws Exception {
    long deadline = loopStarted + settings.maxDuration().toNanos();
    long lastServed = -1;
    Map<TopicPartition, Long> inputEnd = null;
    Map<TopicPartition, Long> softEnd = null;
    // Once every event is labelled and the trainer has read every soft label, nothing can change unless
    // it publishes: if it has not for a while (two candidate intervals; a held candidate ships after --max-quiet),
    // it will not.
    long quietNanos = Math.max(Duration.ofSeconds(20).toNanos(), 2 * settings.publishInterval().toNanos());
    long lastChangeAt = System.nanoTime();
    String lastState = "";
    boolean askingTheRest = false;
    boolean heldAtTheEnd = false;
    // The gate's decisions so far when the trainer had first read every replayed soft label (-1 until then).
    long decisionsWhenReadAll = -1;
    while (!stopped.get() && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      if (!training.isAlive() && !stopped.get()) {
        // A trainer that died learns nothing more: say so now rather than print "trained 0" until the deadline.
        Throwable failure = trainerFailure.get();
        throw new IllegalStateException("the trainer stopped"
            + (failure == null ? "" : ": " + failure.getClass().getSimpleName() + ": " + failure.getMessage()),
            failure);
      }
      TrainerStatus status = trainer.status();
      long served = edge.status().servedVersion();
      recorder.edgeVersionBytesRead(edge.versionBytesRead());
      if (served != lastServed && served > 0) {
        recorder.loaded(served);
        lastServed = served;
      }
      long labelledCount = teacher.eventsLabelled();
      recorder.sample(recorder.produced(), labelledCount, status, served);
      String outage = teacher.teacherOutage().orElse(null);
      if (outage != null) {
        recorder.teacherOut(outage, 1);
      }
      progress.accept(recorder.progressLine(labelledCount, status, served, outage));
      if (inputEnd == null && recorder.replayFinished()) {
        inputEnd = LoopOffsets.end(admin, Topics.INPUT_EVENTS);
      }
      if (inputEnd != null && softEnd == null && LoopOffsets.reached(admin, teacherGroup, inputEnd)) {
        softEnd = LoopOffsets.end(admin, Topics.SOFT_LABELS);
      }
      String state = status.consumed() + "/" + status.version() + "/" + served + "/" + labelledCount;
      if (!state.equals(lastState)) {
        lastState = state;
        lastChangeAt = System.nanoTime();
      }
      if (softEnd != null && decisionsWhenReadAll < 0 && LoopOffsets.readPast(status.readThrough(), softEnd)) {
        decisionsWhenReadAll = status.decisionsMade();
      }
      boolean refused = status.refusedTheLastCandidate();
      if (!heldAtTheEnd && decisionsWhenReadAll >= 0 && status.decisionsMade() > decisionsWhenReadAll
          && (status.holdsACandidate() || refused) && served == status.version() && served > 0) {
        // The gate judged a candidate that had learned every replayed soft label (judged after the trainer had
        // read them all) no better than the version the edge serves, or worse: that version is where the run
        // ends, rather than wait --max-quiet for the gate to ship a held one, or for ever for a better one (a
        // small image set's student, trained on the edge's feedback alone, was refused 16 times in a row). The
        // edge's feedback keeps the trainer reading, so waiting for a quiet trainer would not do.
        heldAtTheEnd = true;
        progress.accept(refused
            ? String.format(Locale.ROOT, "The trainer's last candidate, trained on every soft label, was refused as"
                + " worse than v%d, which the edge serves: the run ends with v%d.", served, served)
            : String.format(Locale.ROOT, "The trainer's last candidate, trained on every soft label, was no better"
                + " than v%d, which the edge serves: the run ends with v%d (the trainer would publish the candidate"
                + " after --max-quiet, %s).", served, served, Durations.format(settings.gate().maxQuiet())));
      }
      if (heldAtTheEnd
          || (softEnd != null && LoopOffsets.reached(admin, trainerGroup, softEnd) && served == status.version())) {
        if (recorder.answeredSoFar() >= enoughAnswers) {
          return;
        }
        if (!askingTheRest) {
          askingTheRest = true;
          progress.accept(String.format(Locale.ROOT, "Every soft label is in the version the edge serves; the edge"
              + " answers %,d requests before the run ends, so that its figures rest on that many.", enoughAnswers));
        }
        continue;
      }
      if (softEnd != null && status.lag() == 0 && System.nanoTime() - lastChangeAt > quietNanos
          + (status.holdsACandidate() ? settings.gate().maxQuiet().toNanos() : 0)) {
        unsettled = whyNothingMore(status);
        progress.accept("Nothing more will happen: " + unsettled);
        return;
      }
    }
    if (stopped.get()) {
      // Said at once: closing the services can take a while when Ctrl-C also stopped the broker (their clients
      // wait out their timeouts).
      progress.accept("Stopped: closing the services and writing the report (up to a minute or two when the broker"
          + " is gone too)...");
    }
    if (!stopped.get() && System.nanoTime() >= deadline) {
      unsettled = "--max-duration (" + Durations.format(settings.maxDuration()) + ") reached before the loop settled; "
          + whyNothingMore(trainer.status());
    }
  }

  /**
   * Lets the teacher service label what was sent to it before it closes: the edge's last feedback (flushed when the
   * edge closed) arrives after the loop settled, and an event left unlabelled would be a hole in the soft labels.
   */
  private static void drainTeacher(Map<String, Object> client, Consumer<String> progress) {
    try (Admin admin = Admin.create(client)) {
      if (!LoopOffsets.awaitCaughtUp(admin, TEACHER_GROUP, Topics.INPUT_EVENTS, DRAIN_TIMEOUT)) {
        progress.accept("The teacher service had not labelled every event " + Durations.format(DRAIN_TIMEOUT)
            + " after the producers stopped; it closes now, and the rest is labelled when it next runs on these"
            + " topics.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      progress.accept("Could not read the teacher service's offsets before closing it: " + e.getMessage());
    }
  }

  /** Why the trainer published no (further) version, from its status: the gate, or the dead letters. */
  static String whyNothingMore(TrainerStatus status) {
    if (status.trained() == 0 && status.deadLetters() > 0) {
      return String.format(Locale.ROOT, "the trainer could learn from none of the %,d soft labels: all %,d went to"
          + " the dead letters, the last because: %s", status.consumed(), status.deadLetters(),
          status.lastDeadLetterReason())
          + " (is the student right for this data? --student auto picks one that is)";
    }
    String decision = status.lastDecision();
    // A student that never reached the first version's minimum: the data may be hard for it, not broken.
    String lower = status.version() == 0 && decision.startsWith(VersionGate.Outcome.REJECT.name())
        ? " (a small student may agree with its teacher less often on hard data, or need a longer stream to learn"
            + " it: --events N replays more, --min-agreement lowers what the first version needs, --student picks"
            + " another)" : "";
    return "the trainer's last candidate: " + (decision.isEmpty() ? "none judged yet" : decision) + lower
        + (status.deadLetters() > 0 ? String.format(Locale.ROOT, "; %,d soft labels dead-lettered, the last because:"
            + " %s", status.deadLetters(), status.lastDeadLetterReason()) : "");
  }

  /**
   * Why the run ended without the loop settling (no version served for the last soft labels), or
   * null when it settled or was stopped.
   */
  public String unsettled() {
    return unsettled;
  }

  /** A replay and the producer it sends with, which this run owns. */
  private record ReplayRun(Replay replay, KafkaProducer<String, InputEvent> producer, AvroSerde<InputEvent> serde)
      implements AutoCloseable {
    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
      serde.close();
    }
  }

  private ReplayRun startReplay(ExampleSource source, boolean images, Map<String, Object> client) {
    Map<String, Object> config = new HashMap<>(ProduceCommand.producerDefaults());
    config.putAll(client);
    io.streamdistill.producers.Scenario scenario = settings.omitClass() == null
        ? new io.streamdistill.producers.Scenario.Steady()
        : new io.streamdistill.producers.Scenario.OmitClass(settings.omitClass(), 0.7);
    int events = settings.events() > 0 ? settings.events() : DemoSettings.defaultEvents(source.size(), images);
    ReplayOptions options = new ReplayOptions(Topics.INPUT_EVENTS, events, settings.eventsPerSecond(), true,
        7, true, KeyChoice.ID, LabelPolicy.ALWAYS, 0, Duration.ZERO, scenario, Duration.ofSeconds(1));
    AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, client);
    KafkaProducer<String, InputEvent> producer =
        new KafkaProducer<>(config, new StringSerializer(), serde.serializer());
    return new ReplayRun(new Replay(source, producer, options, 100), producer, serde);
  }
}
