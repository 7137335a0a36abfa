package io.streamdistill.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.student.CascadeCalibration;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.mnist.MnistTeacherLoader;
import io.streamdistill.teacher.mnist.MnistTeacherTrainer;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.text.MailSplit;
import io.streamdistill.teacher.text.TextTeacherTrainer;
import io.streamdistill.trainer.CachedSoftLabels.Labelled;
import io.streamdistill.trainer.model.AlphaFade;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.model.LearnerOptions;
import io.streamdistill.trainer.model.Predictions;
import io.streamdistill.trainer.model.StepResult;
import io.streamdistill.trainer.model.StudentLearner;
import io.streamdistill.trainer.model.TeacherCombination;
import io.streamdistill.trainer.model.TemperatureAlphaSearch;
import io.streamdistill.trainer.model.TrainingSample;
import io.streamdistill.trainer.stream.Compression;
import io.streamdistill.trainer.stream.HeldOutSlice;
import io.streamdistill.trainer.stream.SoftLabelReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every distillation method of the trainer, and each online-learning lever, on the same stream with
 * the same budget of events, over several seeds, for MNIST (784-64-10 student, the project's
 * 784-1200-1200-10 teacher, a second teacher trained with another seed for the multi-teacher rows)
 * and for e-mail (the hashed n-gram student, the MiniLM teacher with its 384-wide embedding for the
 * hint and relational rows). 30% of the events carry ground truth, as a gateway's late labels would.
 *
 * <p>Each row trains a fresh student over the stream once per seed: the seed sets the initial
 * weights and the order of the stream (the held-out slice, by event id, is the same for all). It
 * trains in batches of 64, scores the student on the test set every few hundred or thousand
 * samples (the learning curve, with the held-out slice's agreement), snapshots a "version" every few
 * thousand events as the trainer would publish it (in the shipped format: int8 for the compressed
 * row), and judges the last one with the edge's plain-Java inference: test accuracy (and errors),
 * agreement with the teacher on the test set (for the multi-teacher rows: with the ensemble), churn
 * between consecutive versions, the shipped size, and the edge's latency per prediction (first seed
 * only). Figures are the mean ± sample standard deviation over the seeds.
 *
 * <p>{@code ./distill benchmark student-trainer -Dit.test=DistillationMethodsBenchmark}, with
 * {@code -Dbenchmark.case=mnist|mail|file} (file: a user's data set, {@link #file}), {@code
 * -Dbenchmark.seeds=5}, {@code -Dbenchmark.rows=REGEX}
 * (rows whose name matches), {@code -Dbenchmark.events=60000} (MNIST budget), {@code
 * -Dbenchmark.teacherEpochs=30} (the MNIST teacher: 30 is the project's), {@code
 * -Dbenchmark.multiTeacher=false} (skips training the second MNIST teacher), {@code
 * -Dbenchmark.mailPasses=3} (passes over the mail training split), {@code -Dbenchmark.mailTeacher=unseen} (a
 * mail teacher trained on half of the training split labels a stream of the other half; default: the preset
 * teacher labels the split it was trained on); writes {@code
 * target/benchmarks/methods[-case].json} and a chart of the main rows' learning curves, {@code
 * methods[-case]-<data set>.svg}.
 */
@Timeout(value = 180, unit = TimeUnit.MINUTES)
class DistillationMethodsBenchmark {
  private static final int BATCH = 64;
  private static final long SEED = 42;
  /** The share of the stream's events that carry ground truth: {@code -Dbenchmark.labelledShare}, 0.3 by default. */
  private static final double LABELLED_SHARE = Double.parseDouble(System.getProperty("benchmark.labelledShare", "0.3"));
  /** The agreement targets the cascade is calibrated for (the trainer's --cascade-agreement). */
  private static final double[] CASCADE_TARGETS = {0.99, 0.995, 0.998};

  /** A stream to learn from and a test set to judge on, as soft labels of the same teachers. */
  private record Data(String name, String key, StudentSpec spec, List<SoftLabel> stream, float[][] streamEmbeddings,
      int[][] orders, List<SoftLabel> test, List<StudentInput> testInputs, int versionEvery, int curveEvery,
      int embeddingWidth, Settings settings) {}

  /**
   * What each data set's student trains with in every row: the demo's settings (hashed n-gram
   * embeddings want a larger step than an MLP; two classes a lower temperature than ten), and the
   * weights of the representation terms.
   */
  private record Settings(float learningRate, float temperature, float representationWeight) {}

  /**
   * One row of the table: a method's name, its options, how the learner learns, whether it learns
   * from every teacher of the stream (else from the first alone), and why it may not apply.
   */
  private record Method(String name, DistillationMethod method, LearnerOptions learning, Compression compression,
      boolean allTeachers, String notApplicable, boolean main) {
    static Method of(String name, DistillationMethod method, LearnerOptions learning) {
      return new Method(name, method, learning, Compression.NONE, false, null, false);
    }

    Method asMain() {
      return new Method(name, method, learning, compression, allTeachers, notApplicable, true);
    }
  }

  /** What one seed's run measured. */
  private record Run(Map<String, Object> figures, List<double[]> curve) {}

  @Test
  void measure() throws Exception {
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    String only = System.getProperty("benchmark.case", "");
    int seeds = Integer.getInteger("benchmark.seeds", 5);
    Map<String, Object> figures = new LinkedHashMap<>();
    String suffix = only.isEmpty() ? "" : "-" + only;
    Path dir = Path.of("target", "benchmarks");
    Files.createDirectories(dir);
    if (only.isEmpty() || only.equals("mnist")) {
      Data data = mnist(Integer.getInteger("benchmark.events", 60_000), seeds);
      figures.put("mnist", table(data, seeds, dir.resolve("methods" + suffix + "-mnist.svg")));
    }
    if (only.isEmpty() || only.equals("mail")) {
      Data data = mail(Integer.getInteger("benchmark.mailPasses", 3), seeds);
      figures.put("mail", table(data, seeds, dir.resolve("methods" + suffix + "-mail.svg")));
    }
    if (only.equals("file")) {
      Data data = file(Integer.getInteger("benchmark.passes", 3), seeds);
      figures.put(data.key(), table(data, seeds, dir.resolve("methods" + suffix + "-" + data.key() + ".svg")));
    }
    Path out = dir.resolve("methods" + suffix + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), figures);
    System.out.println("Written to " + out.toAbsolutePath());
  }

  private static List<Method> methods(Data data) {
    Settings settings = data.settings();
    float t = settings.temperature();
    float w = settings.representationWeight();
    LearnerOptions plain = LearnerOptions.plain(settings.learningRate());
    LearnerOptions defaults = TrainerConfig.defaultLearning(settings.learningRate());
    DistillationMethod classic = DistillationMethod.classic(t, 0.9f);
    DistillationMethod hard = classic.withDistillation(t, 0f);
    boolean twoTeachers = data.stream().get(0).getTeachers().size() > 1;
    boolean embeddings = data.embeddingWidth() > 0;
    boolean ngram = data.spec() instanceof NgramSpec;
    String oneTeacher = "one teacher for this data set";
    String noEmbedding = "the teacher gives no embedding";
    LearnerOptions ema = plain.withAveraging(0.999f);
    LearnerOptions replay = plain.withReplay(10_000, 1f);
    int budget = data.orders()[0].length;
    LearnerOptions schedule = plain.withSchedule(new LearnerOptions.Schedule(budget / 10));
    LearnerOptions adagrad = plain.withEmbedding("adagrad", 0.1f);
    List<Method> methods = new ArrayList<>(List.of(
        Method.of("hard labels only (α=0)", hard, plain).asMain(),
        Method.of("classic T=" + fmt(t) + " α=0.9", classic, plain).asMain(),
        new Method("multi-teacher, mean", classic.withCombination(TeacherCombination.MEAN), plain, Compression.NONE,
            true, twoTeachers ? null : oneTeacher, false),
        new Method("multi-teacher, confidence", classic.withCombination(TeacherCombination.CONFIDENCE), plain,
            Compression.NONE, true, twoTeachers ? null : oneTeacher, false),
        Method.of("self-distillation β=0.5", classic.withSelf(0.5f), plain),
        new Method("hint (FitNets) w=" + fmt(w), classic.withHint(w, Math.max(1, data.embeddingWidth())), plain,
            Compression.NONE, false, embeddings ? null : noEmbedding, false),
        new Method("relational (RKD) w=" + fmt(w), classic.withRelational(w), plain, Compression.NONE, false,
            embeddings ? null : noEmbedding, false),
        Method.of("fading α → 0.3 (labelled, weight)", classic.withFade(AlphaFade.parse("labelled:3000:0.3:weight")),
            plain),
        Method.of("fading α → 0.3 (labelled, target)", classic.withFade(AlphaFade.parse("labelled:3000:0.3:target")),
            plain),
        Method.of("fading α → 0.3 (teacher error)", classic.withFade(AlphaFade.parse("teacher-error:0.3")), plain),
        Method.of("auto-tuned T, α", classic.withAutoTune(true), plain),
        new Method("pruned 75% + int8", classic, plain,
            new Compression(0.75, budget / 5, budget / 2, true, 0.01), false, null, false),
        Method.of("classic + averaged weights (EMA 0.999)", classic, ema).asMain(),
        Method.of("hard labels + averaged weights", hard, ema),
        Method.of("classic + replay 10k ×1", classic, replay).asMain(),
        Method.of("hard labels + replay 10k ×1", hard, replay),
        Method.of("classic + inverse-sqrt schedule", classic, schedule)));
    if (ngram) {
      methods.add(Method.of("classic + Adagrad embedding 0.1", classic, adagrad));
      methods.add(Method.of("hard labels + Adagrad embedding 0.1", hard, adagrad));
    }
    methods.add(Method.of("classic + EMA + replay", classic, ema.withReplay(10_000, 1f)).asMain());
    methods.add(Method.of("hard labels + EMA + replay", hard, ema.withReplay(10_000, 1f)));
    // Ground truth first: labelled samples learn their ground truth (the fade's target mix at once), the rest the
    // teacher's soft labels.
    DistillationMethod truthFirst = classic.withFade(AlphaFade.parse("labelled:1:0:target"));
    methods.add(Method.of("ground truth first + EMA + replay", truthFirst, ema.withReplay(10_000, 1f)));
    if (ngram) {
      LearnerOptions all = adagrad.withAveraging(0.999f).withReplay(10_000, 1f);
      methods.add(Method.of("classic + Adagrad + EMA + replay", classic, all));
      methods.add(Method.of("hard labels + Adagrad + EMA + replay", hard, all));
      methods.add(Method.of("ground truth first + Adagrad + EMA + replay", truthFirst, all));
    }
    // The benchmark's loop never waits for the stream: the defaults without idle replay, and with all of it used
    // (what a trainer faster than its stream does: up to --idle-replay-ratio replayed steps per fresh one).
    LearnerOptions busy = defaults.withIdleReplay(0f);
    methods.add(Method.of("trainer defaults (" + busy.describe() + "), T=" + fmt(t) + " α=0.9", classic, busy));
    LearnerOptions idle = busy.withReplay(defaults.replayCapacity(), defaults.idleReplayRatio());
    methods.add(Method.of("trainer defaults, idle replay used up (" + idle.describe() + ")", classic, idle));
    // -Dbenchmark.grid=T,T...:α,α...[:LR,LR...[:RATIO,RATIO...]] adds classic + EMA + replay at each temperature,
    // α, learning rate (default the data set's) and replay ratio (default 1): a sweep for the defaults.
    String grid = System.getProperty("benchmark.grid", "");
    if (!grid.isEmpty()) {
      // Split keeping empty parts: a stray separator is a number that does not parse, not a value dropped.
      String[] axes = grid.split(":", -1);
      String rates = axes.length > 2 ? axes[2] : Float.toString(settings.learningRate());
      String ratios = axes.length > 3 ? axes[3] : "1";
      for (String rate : rates.split(",", -1)) {
        for (String ratio : ratios.split(",", -1)) {
          for (String temperature : axes[0].split(",", -1)) {
            for (String alpha : axes[1].split(",", -1)) {
              float gt = Float.parseFloat(temperature);
              float ga = Float.parseFloat(alpha);
              float lr = Float.parseFloat(rate);
              float rr = Float.parseFloat(ratio);
              LearnerOptions learning = defaults.withLearningRate(lr).withReplay(10_000, rr);
              methods.add(Method.of(String.format(Locale.ROOT, "grid T=%s α=%s lr=%s replay×%s", fmt(gt), fmt(ga),
                  rate, ratio), DistillationMethod.classic(gt, ga), learning));
            }
          }
        }
      }
    }
    String filter = System.getProperty("benchmark.rows", "");
    return filter.isEmpty() ? methods
        : methods.stream().filter(m -> java.util.regex.Pattern.compile(filter).matcher(m.name()).find()).toList();
  }

  private static String fmt(float value) {
    return value == Math.rint(value) ? Integer.toString((int) value) : Float.toString(value);
  }

  private static List<Map<String, Object>> table(Data data, int seeds, Path chart) throws Exception {
    List<Method> methods = methods(data);
    // Read once, with every teacher; each row takes the teachers and the combination it learns from.
    SoftLabelReader reader = new SoftLabelReader(data.spec(), TeacherCombination.MEAN, -1, Set.of());
    List<TrainingSample> stream = new ArrayList<>();
    for (SoftLabel label : data.stream()) {
      stream.add(reader.read(label));
    }
    List<TrainingSample> test = new ArrayList<>();
    for (SoftLabel label : data.test()) {
      test.add(reader.read(label));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, List<double[]>> curves = new LinkedHashMap<>();
    System.out.printf(Locale.ROOT, "%n%s: %,d events (%d%% with ground truth), %s, test set of %,d, %d seeds%n",
        data.name(), data.orders()[0].length, Math.round(LABELLED_SHARE * 100), data.spec().kind(), data.test().size(),
        seeds);
    System.out.printf(Locale.ROOT, "%-52s %17s %15s %17s %8s %11s %8s %8s  %s%n", "method", "accuracy", "errors",
        "agreement", "churn", "size bytes", "edge µs", "train s", "notes");
    for (Method m : methods) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("method", m.name());
      if (m.notApplicable() != null) {
        row.put("notApplicable", m.notApplicable());
        rows.add(row);
        System.out.printf(Locale.ROOT, "%-52s %s%n", m.name(), "n/a: " + m.notApplicable());
        continue;
      }
      row.put("learning", m.learning().describe());
      row.put("distillation", m.method().describe());
      List<Run> runs = new ArrayList<>();
      for (int seed = 1; seed <= seeds; seed++) {
        runs.add(run(data, m, stream, test, seed));
      }
      List<String> averaged = new ArrayList<>(List.of("testAccuracy", "testErrors", "testAgreement", "meanChurn",
          "heldOutAgreement", "trainSeconds", "teacherTestAccuracy"));
      for (double target : CASCADE_TARGETS) {
        for (String figure : List.of("Threshold", "HeldOutCoverage", "TestCoverage", "TestLoneAgreement",
            "TestLoneAccuracy", "TestAccuracy")) {
          averaged.add(cascadeKey(target) + figure);
        }
      }
      for (String key : averaged) {
        row.put(key, stats(runs.stream().mapToDouble(r -> ((Number) r.figures().get(key)).doubleValue()).toArray()));
      }
      Map<String, Object> first = runs.get(0).figures();
      for (String key : List.of("sizeBytes", "edgeMicros", "versions", "floatSelfErrors", "sparsity", "floatBytes")) {
        if (first.containsKey(key)) {
          row.put(key, first.get(key));
        }
      }
      List<String> notes = new ArrayList<>();
      for (Run r : runs) {
        notes.add((String) r.figures().get("notes"));
      }
      row.put("notes", notes);
      List<double[]> curve = meanCurve(runs);
      row.put("curve", curve.stream().map(p -> Map.of("trained", (long) p[0], "testAccuracy", p[1],
          "testAgreement", p[2], "heldOutAgreement", p[3])).toList());
      row.put("samplesTo90HeldOut", samplesTo(runs, 0.90));
      row.put("samplesTo95HeldOut", samplesTo(runs, 0.95));
      if (m.main()) {
        curves.put(m.name(), curve);
      }
      rows.add(row);
      System.out.printf(Locale.ROOT, "%-52s %17s %15s %17s %8.4f %,11d %8.1f %8.1f  %s%n", m.name(),
          pm(row, "testAccuracy", 100, 2), pm(row, "testErrors", 1, 1), pm(row, "testAgreement", 100, 2),
          mean(row, "meanChurn"), ((Number) first.get("sizeBytes")).longValue(),
          ((Number) first.get("edgeMicros")).doubleValue(), mean(row, "trainSeconds"), first.get("notes"));
      StringBuilder cascade = new StringBuilder("    cascade (calibrated on the held-out window, on the test set):");
      for (double target : CASCADE_TARGETS) {
        String key = cascadeKey(target);
        cascade.append(String.format(Locale.ROOT, " | %.1f%%: alone %s (held out %s), lone agreement %s, accuracy %s",
            100 * target, pm(row, key + "TestCoverage", 100, 1), pm(row, key + "HeldOutCoverage", 100, 1),
            pm(row, key + "TestLoneAgreement", 100, 2), pm(row, key + "TestAccuracy", 100, 2)));
      }
      System.out.println(cascade.append(String.format(Locale.ROOT, " | teacher alone %.2f%%",
          100 * mean(row, "teacherTestAccuracy"))));
    }
    writeChart(chart, data.name(), curves);
    return rows;
  }

  /** Mean and sample standard deviation, and the values (the trainer benchmark's Hinton table too). */
  static Map<String, Object> stats(double[] values) {
    double mean = java.util.Arrays.stream(values).average().orElse(Double.NaN);
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    double sd = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : Double.NaN;
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("mean", mean);
    s.put("sd", sd);
    s.put("values", values);
    return s;
  }

  private static double mean(Map<String, Object> row, String key) {
    @SuppressWarnings("unchecked")
    Map<String, Object> s = (Map<String, Object>) row.get(key);
    return (double) s.get("mean");
  }

  private static String pm(Map<String, Object> row, String key, double scale, int decimals) {
    @SuppressWarnings("unchecked")
    Map<String, Object> s = (Map<String, Object>) row.get(key);
    String f = "%." + decimals + "f";
    return String.format(Locale.ROOT, f + " ± " + f, (double) s.get("mean") * scale, (double) s.get("sd") * scale);
  }

  /** The learning curve averaged over the seeds: {trained, test accuracy, test agreement, held-out agreement}. */
  private static List<double[]> meanCurve(List<Run> runs) {
    List<double[]> mean = new ArrayList<>();
    int points = runs.stream().mapToInt(r -> r.curve().size()).min().orElse(0);
    for (int i = 0; i < points; i++) {
      double[] p = new double[4];
      for (Run r : runs) {
        for (int k = 0; k < 4; k++) {
          p[k] += r.curve().get(i)[k] / runs.size();
        }
      }
      mean.add(p);
    }
    return mean;
  }

  /** Per seed, the trained samples at the first curve point whose held-out agreement reached the share (-1: never). */
  private static long[] samplesTo(List<Run> runs, double share) {
    return runs.stream().mapToLong(r -> r.curve().stream().filter(p -> p[3] >= share).mapToLong(p -> (long) p[0])
        .findFirst().orElse(-1)).toArray();
  }

  /** The row's teachers and combination applied to a sample read with every teacher. */
  private static TrainingSample asRowSees(TrainingSample s, Method m, float[] embedding) {
    float[][] teachers = m.allTeachers() ? s.teacherLogits() : new float[][] {s.teacherLogits()[0]};
    return new TrainingSample(s.vector(), s.buckets(), teachers, m.method().combination().argMax(teachers), s.label(),
        m.method().needsEmbedding() ? embedding : null);
  }

  private static Run run(Data data, Method m, List<TrainingSample> stream, List<TrainingSample> testSamples,
      int seed) throws Exception {
    DistillationMethod method = m.method();
    HeldOutSlice slice = new HeldOutSlice(10);
    List<TrainingSample> train = new ArrayList<>();
    List<TrainingSample> heldOut = new ArrayList<>();
    for (int i : data.orders()[seed - 1]) {
      TrainingSample s = asRowSees(stream.get(i), m, data.streamEmbeddings()[i]);
      (slice.isHeldOut(data.stream().get(i).getEvent()) ? heldOut : train).add(s);
    }
    List<TrainingSample> test = testSamples.stream().map(s -> asRowSees(s, m, null)).toList();
    List<TrainingSample> heldOutWindow = heldOut.subList(0, Math.min(2_000, heldOut.size()));
    long started = System.nanoTime();
    Map<String, Object> row = new LinkedHashMap<>();
    List<double[]> curve = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Compression compression = m.compression();
    try (StudentLearner learner = new StudentLearner(data.spec(), method, m.learning(), seed);
        StudentLearner served = new StudentLearner(data.spec(), method, data.settings().learningRate(), seed)) {
      if (method.autoTune()) {
        TemperatureAlphaSearch.Result tuned = TemperatureAlphaSearch.search(data.spec(), method, m.learning(), seed,
            BATCH, train.subList(0, Math.min(2_000, train.size())), heldOutWindow);
        learner.retune(tuned.chosen());
        notes.add(String.format(Locale.ROOT, "chose T=%s α=%s by %s", tuned.chosen().temperature(),
            tuned.chosen().alpha(), tuned.criterion()));
        row.put("chosenTemperature", tuned.chosen().temperature());
        row.put("chosenAlpha", tuned.chosen().alpha());
      }
      int[] previous = null;
      List<Double> churns = new ArrayList<>();
      StudentModel shipped = null;
      byte[] shippedBytes = null;
      int nextVersion = data.versionEvery();
      int nextPoint = data.curveEvery();
      for (int from = 0; from < train.size(); from += BATCH) {
        learner.trainStep(train.subList(from, Math.min(train.size(), from + BATCH)));
        int trained = Math.min(train.size(), from + BATCH);
        double prune = compression.pruneTo(trained, learner.sparsity());
        if (!Double.isNaN(prune)) {
          learner.prune(prune);
        }
        boolean last = trained == train.size();
        boolean version = trained >= nextVersion || last;
        if (trained >= nextPoint && !version) {
          // A point of the learning curve: the learner's own (averaged) weights, as they would ship in float.
          while (nextPoint <= trained) {
            nextPoint += nextPoint < 4 * data.curveEvery() * 4 ? data.curveEvery() : 4 * data.curveEvery();
          }
          // The test set through the edge's plain-Java inference of the (averaged) weights: as the version would
          // serve, and a tenth of DJL's time on padded mails.
          StepResult onTest = StepResult.of(test,
              predict(StudentModel.create(data.spec(), learner.weights()), data.testInputs()), Double.NaN);
          curve.add(new double[] {trained, onTest.accuracy(), onTest.agreement(),
              learner.evaluate(heldOutWindow, 512).agreement()});
        }
        if (version) {
          while (nextPoint <= trained) {
            nextPoint += nextPoint < 4 * data.curveEvery() * 4 ? data.curveEvery() : 4 * data.curveEvery();
          }
          StudentWeights weights = learner.weights();
          if (compression.int8()) {
            QuantizedWeights quantized = QuantizedWeights.quantize(weights);
            shippedBytes = quantized.encode();
            shipped = StudentModel.create(data.spec(), quantized);
            served.load(quantized.dequantize());
          } else {
            shippedBytes = weights.encode();
            shipped = StudentModel.create(data.spec(), weights);
            served.load(weights);
          }
          int[] predicted = predict(shipped, data.testInputs());
          StepResult onTest = StepResult.of(test, predicted, Double.NaN);
          curve.add(new double[] {trained, onTest.accuracy(), onTest.agreement(),
              served.evaluate(heldOutWindow, 512).agreement()});
          nextVersion += data.versionEvery();
          if (method.selfWeight() > 0) {
            learner.selfTeacher(served);
          }
          if (previous != null) {
            churns.add(StepResult.churn(previous, predicted));
          }
          previous = predicted;
        }
      }
      row.put("trainSeconds", (System.nanoTime() - started) / 1e9);
      cascade(row, served.predict(heldOutWindow, 512), heldOutWindow, shipped, data.testInputs(), test);
      // The last version as the edge serves it.
      int[] predicted = predict(shipped, data.testInputs());
      int errors = 0;
      int agreed = 0;
      for (int i = 0; i < predicted.length; i++) {
        errors += predicted[i] != test.get(i).label() ? 1 : 0;
        agreed += predicted[i] == test.get(i).teacherClass() ? 1 : 0;
      }
      row.put("testAccuracy", 1.0 - (double) errors / predicted.length);
      row.put("testErrors", errors);
      row.put("testAgreement", (double) agreed / predicted.length);
      row.put("heldOutAgreement", curve.get(curve.size() - 1)[3]);
      row.put("meanChurn", churns.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
      row.put("versions", churns.size() + 1);
      row.put("sizeBytes", shippedBytes.length);
      row.put("edgeMicros", seed == 1 ? edgeMicros(shipped, data.testInputs()) : Double.NaN);
      if (compression.compresses()) {
        StudentModel floatSelf = StudentModel.create(data.spec(), learner.weights());
        int[] floatPredicted = predict(floatSelf, data.testInputs());
        int floatErrors = 0;
        for (int i = 0; i < floatPredicted.length; i++) {
          floatErrors += floatPredicted[i] != test.get(i).label() ? 1 : 0;
        }
        row.put("floatSelfErrors", floatErrors);
        row.put("sparsity", learner.sparsity());
        row.put("floatBytes", learner.weights().encode().length);
        notes.add(String.format(Locale.ROOT, "sparsity %.2f, float self %d errors, %.1fx smaller", learner.sparsity(),
            floatErrors, (double) learner.weights().encode().length / shippedBytes.length));
      }
      if (method.fade().kind() != AlphaFade.Kind.NONE) {
        notes.add(String.format(Locale.ROOT, "α ended at %.2f", learner.fadedAlpha()));
      }
      if (method.needsEmbedding()) {
        double[] errs = learner.representationErrors(heldOut.subList(0, Math.min(640, heldOut.size())));
        notes.add(String.format(Locale.ROOT, "held-out hint error %.4f, relational error %.4f", errs[0], errs[1]));
      }
    }
    row.put("notes", String.join("; ", notes));
    return new Run(row, curve);
  }

  /**
   * The edge's cascade at each calibration target: the last version calibrated on the held-out window
   * as the trainer does, then judged on the test set through the edge's inference. Lone answers are
   * the student's, the others the teacher's.
   */
  private static void cascade(Map<String, Object> row, Predictions heldOutPredicted, List<TrainingSample> heldOut,
      StudentModel shipped, List<StudentInput> testInputs, List<TrainingSample> test) {
    int[] teacher = heldOut.stream().mapToInt(TrainingSample::teacherClass).toArray();
    float[][] probabilities = new float[test.size()][];
    for (int i = 0; i < probabilities.length; i++) {
      probabilities[i] = shipped.probabilities(testInputs.get(i));
    }
    int teacherRight = 0;
    for (TrainingSample s : test) {
      teacherRight += s.teacherClass() == s.label() ? 1 : 0;
    }
    row.put("teacherTestAccuracy", (double) teacherRight / test.size());
    for (double target : CASCADE_TARGETS) {
      CascadeCalibration.Result calibrated = CascadeCalibration.calibrate(heldOutPredicted.classes(), teacher,
          heldOutPredicted.confidences(), target, 1).orElseThrow();
      int alone = 0;
      int aloneAgreed = 0;
      int aloneRight = 0;
      int right = 0;
      for (int i = 0; i < test.size(); i++) {
        int predicted = Softmax.argMax(probabilities[i]);
        TrainingSample s = test.get(i);
        if (probabilities[i][predicted] >= calibrated.threshold()) {
          alone++;
          aloneAgreed += predicted == s.teacherClass() ? 1 : 0;
          aloneRight += predicted == s.label() ? 1 : 0;
          right += predicted == s.label() ? 1 : 0;
        } else {
          right += s.teacherClass() == s.label() ? 1 : 0;
        }
      }
      String key = cascadeKey(target);
      row.put(key + "Threshold", calibrated.threshold());
      row.put(key + "HeldOutCoverage", calibrated.coverage());
      row.put(key + "TestCoverage", (double) alone / test.size());
      row.put(key + "TestLoneAgreement", alone == 0 ? Double.NaN : (double) aloneAgreed / alone);
      row.put(key + "TestLoneAccuracy", alone == 0 ? Double.NaN : (double) aloneRight / alone);
      row.put(key + "TestAccuracy", (double) right / test.size());
    }
  }

  private static String cascadeKey(double target) {
    return "cascade" + String.format(Locale.ROOT, "%.3f", target).substring(2);
  }

  /**
   * A chart of the main rows' learning curves (mean over the seeds): held-out agreement with the
   * teacher and test accuracy against the samples trained, side by side.
   */
  private static void writeChart(Path file, String title, Map<String, List<double[]>> curves) throws Exception {
    if (curves.isEmpty()) {
      return;
    }
    String[] colours = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"};
    double maxX = curves.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).max().orElse(1);
    double minY = Math.max(0, curves.values().stream().flatMap(List::stream)
        .filter(p -> p[0] >= maxX / 10).mapToDouble(p -> Math.min(p[1], p[3])).min().orElse(0) - 0.01);
    int w = 420;
    int h = 300;
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
            + " font-size=\"11\">%n<text x=\"10\" y=\"16\" font-size=\"13\">%s: mean of the seeds against samples"
            + " trained</text>%n", 2 * w + 40, h + 60 + 16 * curves.size(), escape(title)));
    String[] panels = {"held-out agreement with the teacher", "test accuracy"};
    int[] columns = {3, 1};
    for (int panel = 0; panel < 2; panel++) {
      int x0 = 50 + panel * (w + 20);
      int y0 = 30;
      int pw = w - 50;
      int ph = h - 40;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
          + " stroke=\"#999\"/>%n<text x=\"%d\" y=\"%d\">%s</text>%n", x0, y0, pw, ph, x0 + 4, y0 + 14, panels[panel]));
      for (int tick = 0; tick <= 4; tick++) {
        double y = minY + (1 - minY) * tick / 4;
        double py = y0 + ph - (y - minY) / (1 - minY) * ph;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n",
            x0 - 3, py + 4, y));
      }
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%,d samples</text>%n",
          x0 + pw, y0 + ph + 14, (long) maxX));
      int c = 0;
      for (Map.Entry<String, List<double[]>> e : curves.entrySet()) {
        StringBuilder points = new StringBuilder();
        for (double[] p : e.getValue()) {
          double y = Math.max(minY, p[columns[panel]]);
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x0 + p[0] / maxX * pw,
              y0 + ph - (y - minY) / (1 - minY) * ph));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\""
            + " points=\"%s\"/>%n", colours[c % colours.length], points.toString().trim()));
        c++;
      }
    }
    int c = 0;
    for (String name : curves.keySet()) {
      int y = h + 40 + 16 * c;
      svg.append(String.format(Locale.ROOT, "<line x1=\"50\" y1=\"%d\" x2=\"70\" y2=\"%d\" stroke=\"%s\""
          + " stroke-width=\"2\"/><text x=\"76\" y=\"%d\">%s</text>%n", y - 4, y - 4, colours[c % colours.length], y,
          escape(name)));
      c++;
    }
    svg.append("</svg>\n");
    Files.writeString(file, svg.toString());
    System.out.println("Chart written to " + file.toAbsolutePath());
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static int[] predict(StudentModel model, List<StudentInput> inputs) {
    int[] predicted = new int[inputs.size()];
    for (int i = 0; i < predicted.length; i++) {
      predicted[i] = Softmax.argMax(model.logits(inputs.get(i)));
    }
    return predicted;
  }

  /** Mean microseconds per prediction, one thread, after a warm-up pass. */
  private static double edgeMicros(StudentModel model, List<StudentInput> inputs) {
    predict(model, inputs);
    long started = System.nanoTime();
    int rounds = 0;
    do {
      predict(model, inputs);
      rounds++;
    } while (System.nanoTime() - started < 1_000_000_000L);
    return (System.nanoTime() - started) / 1e3 / ((long) rounds * inputs.size());
  }

  /** Each seed's order of the stream: seed 1 the stream as it is, the others shuffled by their seed. */
  private static int[][] orders(int size, int seeds) {
    int[][] orders = new int[seeds][];
    for (int seed = 1; seed <= seeds; seed++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        order.add(i);
      }
      if (seed > 1) {
        java.util.Collections.shuffle(order, new Random(seed));
      }
      orders[seed - 1] = order.stream().mapToInt(Integer::intValue).toArray();
    }
    return orders;
  }

  private static Data mnist(int events, int seeds) throws Exception {
    MnistSource train = MnistSoftLabels.train();
    MnistSource test = MnistSoftLabels.test();
    int epochs = Integer.getInteger("benchmark.teacherEpochs", MnistTeacherTrainer.Options.DEFAULT.epochs());
    Path main = MnistTeacherTrainer.trainedOrCached(MnistTeacherTrainer.defaultCacheDirectory(),
        MnistTeacherTrainer.Options.DEFAULT.withEpochs(epochs));
    List<Teacher> teachers = new ArrayList<>(List.of(withHiddenLayerAsEmbedding(main)));
    if (Boolean.parseBoolean(System.getProperty("benchmark.multiTeacher", "true"))) {
      Path second = MnistTeacherTrainer.trainedOrCached(MnistTeacherTrainer.defaultCacheDirectory(),
          MnistTeacherTrainer.Options.DEFAULT.withSeed(7).withEpochs(10));
      teachers.add(TeacherCatalog.load(second.toString()));
    }
    try {
      Labelled stream = CachedSoftLabels.label(teachers, examples(train, events), StudentPresets.DIGITS,
          "mnist/train", true, LABELLED_SHARE, SEED);
      List<Example> testExamples = examples(test, test.size());
      Labelled testLabels = CachedSoftLabels.label(teachers, testExamples, StudentPresets.DIGITS, "mnist/test", false,
          LABELLED_SHARE, SEED);
      return new Data("MNIST", "mnist", StudentPresets.resolve("mnist-64"), stream.labels(), stream.embeddings(),
          orders(stream.labels().size(), seeds), testLabels.labels(),
          testExamples.stream().map(e -> StudentInput.ofVector(e.vector())).toList(), 5_000, 1_000,
          width(stream), new Settings(0.005f, 2f, 1f));
    } finally {
      teachers.forEach(Teacher::close);
    }
  }

  /**
   * The project's MNIST teacher with its second hidden layer (1,200 wide) as its embedding: its
   * loader serves it when the descriptor declares the width; the cached teacher.json declares none.
   */
  private static Teacher withHiddenLayerAsEmbedding(Path dir) {
    TeacherDescriptor d = TeacherDirectory.read(dir);
    int hidden = Integer.parseInt(d.options().get("hiddenWidth"));
    return new MnistTeacherLoader().load(dir, new TeacherDescriptor(d.id(), d.version(), d.kind(), d.classes(),
        d.input(), d.vectorWidth(), hidden, d.files(), d.metrics(), d.options()));
  }

  private static Data mail(int passes, int seeds) throws Exception {
    SpamAssassinSource corpus = SpamAssassinSource.load(DatasetCache.atDefaultDirectory());
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      Example e = corpus.get(i);
      (MailSplit.isTest(e.id()) ? test : train).add(e);
    }
    // -Dbenchmark.mailTeacher=unseen: a teacher trained on half of the training split labels a stream of the other
    // half, as a deployed teacher labels traffic it has not seen; default: the preset teacher, trained on the whole
    // training split, labels the mails it was trained on (its arg max is then almost the ground truth).
    boolean unseen = "unseen".equals(System.getProperty("benchmark.mailTeacher", "preset"));
    Path halfTeacher = Path.of("target", "benchmarks", "mail-teacher-half");
    if (unseen) {
      List<Example> teacherHalf = new ArrayList<>();
      List<Example> streamHalf = new ArrayList<>();
      for (Example e : train) {
        (java.util.UUID.nameUUIDFromBytes(("teacher-half:" + e.id()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .getLeastSignificantBits() % 2 == 0 ? teacherHalf : streamHalf).add(e);
      }
      train = streamHalf;
      if (!Files.exists(halfTeacher.resolve(TeacherDescriptor.FILE_NAME))) {
        TextTeacherTrainer.train(ExampleSource.of("spamassassin-half", teacherHalf, TextTeacherTrainer.CLASSES),
            ExampleSource.of("spamassassin-test", test, TextTeacherTrainer.CLASSES),
            TextTeacherTrainer.Options.defaults().withCacheDir(TextTeacherTrainer.defaultCacheDirectory()), halfTeacher,
            System.out);
      }
      System.out.printf(Locale.ROOT, "mail teacher trained on %,d mails; the stream: the other %,d%n",
          teacherHalf.size(), streamHalf.size());
    }
    try (Teacher teacher = TeacherCatalog.load(unseen ? halfTeacher.toString() : "mail")) {
      Labelled once = CachedSoftLabels.label(List.of(teacher), train, StudentPresets.MAIL, "mail/train", true,
          LABELLED_SHARE, SEED);
      int[][] orders = passOrders(once.labels().size(), passes, seeds);
      Labelled testLabels = CachedSoftLabels.label(List.of(teacher), test, StudentPresets.MAIL, "mail/test", false,
          LABELLED_SHARE, SEED);
      // -Dbenchmark.mailStudent=FILE.json: another n-gram student (a smaller table, say) on the same stream.
      return new Data("E-mail (SpamAssassin)", "mail",
          StudentPresets.resolve(System.getProperty("benchmark.mailStudent", "mail-ngram")), once.labels(),
          once.embeddings(), orders, testLabels.labels(),
          test.stream().map(e -> StudentInput.ofText(e.text())).toList(), 2_000, 250, width(once),
          new Settings(0.01f, 2f, 0.1f));
    }
  }

  /** Each seed's order of the stream: the passes, each pass shuffled by the seed (seed 1 by 42). */
  private static int[][] passOrders(int size, int passes, int seeds) {
    int[][] orders = new int[seeds][];
    for (int seed = 1; seed <= seeds; seed++) {
      Random random = new Random(seed == 1 ? SEED : seed);
      int[] order = new int[passes * size];
      for (int pass = 0; pass < passes; pass++) {
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          shuffled.add(i);
        }
        java.util.Collections.shuffle(shuffled, random);
        for (int i = 0; i < size; i++) {
          order[pass * size + i] = shuffled.get(i);
        }
      }
      orders[seed - 1] = order;
    }
    return orders;
  }

  /**
   * A user's labelled file ({@code -Dbenchmark.source=FILE}, read with {@code -Dbenchmark.sourceArgs="the column
   * options of ./distill produce"}), its teacher ({@code -Dbenchmark.teacher=DIR}, or one trained on the file as the
   * demo trains one) and the student the trainer's {@code --student auto} picks, at the trainer's defaults for it:
   * the data the team never saw, measured as the presets are.
   */
  private static Data file(int passes, int seeds) throws Exception {
    String source = System.getProperty("benchmark.source", "");
    if (source.isBlank()) {
      throw new IllegalArgumentException("-Dbenchmark.case=file needs -Dbenchmark.source=FILE (and"
          + " -Dbenchmark.sourceArgs=\"--label-column label ...\" as for ./distill produce)");
    }
    UsersFileStream file = UsersFileStream.open(source, System.getProperty("benchmark.sourceArgs", ""),
        System.getProperty("benchmark.teacher", ""), LABELLED_SHARE, SEED);
    int size = file.stream().labels().size();
    int budget = passes * size;
    // About ten versions and forty points of the learning curve over the run, as the presets have.
    return new Data(file.name(), file.name().replaceAll("[^A-Za-z0-9._-]", "_"), file.spec(),
        file.stream().labels(), file.stream().embeddings(), passOrders(size, passes, seeds), file.test().labels(),
        file.testInputs(), Math.max(500, budget / 10), Math.max(100, budget / 40), width(file.stream()),
        new Settings(TrainerConfig.defaultLearningRate(file.spec()),
            Float.parseFloat(TrainerConfig.DEFAULT_TEMPERATURE), 1f));
  }

  private static int width(Labelled labelled) {
    float[] first = labelled.embeddings()[0];
    return first == null ? 0 : first.length;
  }

  private static List<Example> examples(io.streamdistill.datasets.ExampleSource source, int count) {
    List<Example> examples = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      examples.add(source.get(i % source.size()));
    }
    return examples;
  }

}
