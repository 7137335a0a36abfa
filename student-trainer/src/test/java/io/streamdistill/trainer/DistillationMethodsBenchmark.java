package io.streamdistill.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.student.QuantizedWeights;
import io.streamdistill.student.Softmax;
import io.streamdistill.student.StudentInput;
import io.streamdistill.student.StudentModel;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.student.StudentWeights;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.mnist.MnistTeacherLoader;
import io.streamdistill.teacher.mnist.MnistTeacherTrainer;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.text.MailSplit;
import io.streamdistill.trainer.model.AlphaFade;
import io.streamdistill.trainer.model.DistillationMethod;
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
import java.time.Instant;
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
 * Every distillation method of the trainer on the same stream with the same budget of events, for
 * MNIST (784-64-10 student, the project's 784-1200-1200-10 teacher, a second teacher trained with
 * another seed for the multi-teacher rows) and for e-mail (the hashed n-gram student, the MiniLM
 * teacher with its 384-wide embedding for the hint and relational rows). 30% of the events carry
 * ground truth, as a gateway's late labels would.
 *
 * <p>Each row trains a fresh student over the stream in order (batch 64, Adam, one pass of the
 * budget), snapshots a "version" every few thousand events as the trainer would publish it (in the
 * shipped format: int8 for the compressed row), and measures what the edge would serve, with the
 * edge's plain-Java inference: test accuracy (and errors on MNIST), agreement with the teacher on
 * the test set (for the multi-teacher rows: with the ensemble), churn between consecutive versions (share of test inputs whose class changed), the
 * shipped size, and the edge's latency per prediction.
 *
 * <p>{@code ./distill benchmark student-trainer -Dit.test=DistillationMethodsBenchmark} (or
 * {@code -Dbenchmark.case=mnist|mail}); writes {@code target/benchmarks/methods.json} (or {@code
 * methods-mnist.json}, {@code methods-mail.json} for one case).
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class DistillationMethodsBenchmark {
  private static final int BATCH = 64;
  private static final long SEED = 42;
  private static final double LABELLED_SHARE = 0.3;

  /** A stream to learn from and a test set to judge on, as soft labels of the same teachers. */
  private record Data(String name, StudentSpec spec, List<SoftLabel> stream, float[][] streamEmbeddings,
      List<SoftLabel> test, List<StudentInput> testInputs, int versionEvery, int embeddingWidth, Settings settings) {}

  /**
   * Soft labels and the first teacher's embedding of each, kept apart as primitive arrays: 60,000
   * MNIST embeddings of 1,200 floats would not fit the heap as the soft labels' boxed lists.
   */
  private record Labelled(List<SoftLabel> labels, float[][] embeddings) {}

  /**
   * What each data set's student trains with in every row: the demo's settings (hashed n-gram
   * embeddings want a larger step than an MLP; two classes a lower temperature than ten), and the
   * weights of the representation terms, sized so that they do not drown the distillation loss.
   */
  private record Settings(float learningRate, float temperature, float representationWeight) {}

  /**
   * One row of the table: a method's name, its options, whether it learns from every teacher of the
   * stream (else from the first alone), and why it may not apply.
   */
  private record Method(String name, DistillationMethod method, Compression compression, boolean allTeachers,
      String notApplicable) {
    static Method of(String name, DistillationMethod method) {
      return new Method(name, method, Compression.NONE, false, null);
    }
  }

  @Test
  void measure() throws Exception {
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    String only = System.getProperty("benchmark.case", "");
    Map<String, Object> figures = new LinkedHashMap<>();
    if (only.isEmpty() || only.equals("mnist")) {
      figures.put("mnist", table(mnist(Integer.getInteger("benchmark.events", 60_000))));
    }
    if (only.isEmpty() || only.equals("mail")) {
      figures.put("mail", table(mail(3)));
    }
    Path out = Path.of("target", "benchmarks", only.isEmpty() ? "methods.json" : "methods-" + only + ".json");
    Files.createDirectories(out.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), figures);
    System.out.println("Written to " + out.toAbsolutePath());
  }

  private static List<Map<String, Object>> table(Data data) throws Exception {
    Settings settings = data.settings();
    float t = settings.temperature();
    float w = settings.representationWeight();
    DistillationMethod classic = DistillationMethod.classic(t, 0.9f);
    boolean twoTeachers = data.stream().get(0).getTeachers().size() > 1;
    boolean embeddings = data.embeddingWidth() > 0;
    String oneTeacher = "one teacher for this data set";
    String noEmbedding = "the teacher gives no embedding";
    List<Method> methods = List.of(
        Method.of("hard labels only (α=0)", classic.withDistillation(t, 0f)),
        Method.of("classic T=" + (int) t + " α=0.9", classic),
        new Method("multi-teacher, mean", classic.withCombination(TeacherCombination.MEAN), Compression.NONE, true,
            twoTeachers ? null : oneTeacher),
        new Method("multi-teacher, confidence", classic.withCombination(TeacherCombination.CONFIDENCE),
            Compression.NONE, true, twoTeachers ? null : oneTeacher),
        Method.of("self-distillation β=0.5", classic.withSelf(0.5f)),
        new Method("hint (FitNets) w=" + w, classic.withHint(w, Math.max(1, data.embeddingWidth())),
            Compression.NONE, false, embeddings ? null : noEmbedding),
        new Method("relational (RKD) w=" + w, classic.withRelational(w), Compression.NONE, false,
            embeddings ? null : noEmbedding),
        Method.of("fading α → 0.3 (labelled)", classic.withFade(AlphaFade.parse("labelled:3000:0.3"))),
        Method.of("fading α → 0.3 (teacher error)", classic.withFade(AlphaFade.parse("teacher-error:0.3"))),
        Method.of("auto-tuned T, α", classic.withAutoTune(true)),
        new Method("pruned 75% + int8", classic,
            new Compression(0.75, data.stream().size() / 5, data.stream().size() / 2, true, 0.01), false, null));
    List<Map<String, Object>> rows = new ArrayList<>();
    System.out.printf(Locale.ROOT, "%n%s: %,d events (%d%% with ground truth), %s, test set of %,d%n", data.name(),
        data.stream().size(), Math.round(LABELLED_SHARE * 100), data.spec().kind(), data.test().size());
    System.out.printf(Locale.ROOT, "%-32s %9s %7s %10s %8s %11s %10s %9s  %s%n", "method", "accuracy", "errors",
        "agreement", "churn", "size bytes", "edge µs", "train s", "notes");
    for (Method m : methods) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("method", m.name());
      if (m.notApplicable() != null) {
        row.put("notApplicable", m.notApplicable());
        rows.add(row);
        System.out.printf(Locale.ROOT, "%-32s %s%n", m.name(), "n/a: " + m.notApplicable());
        continue;
      }
      row.putAll(run(data, m));
      rows.add(row);
      System.out.printf(Locale.ROOT, "%-32s %9.4f %7d %10.4f %8.4f %,11d %10.1f %9.1f  %s%n", m.name(),
          row.get("testAccuracy"), row.get("testErrors"), row.get("testAgreement"), row.get("meanChurn"),
          row.get("sizeBytes"), row.get("edgeMicros"), row.get("trainSeconds"), row.get("notes"));
    }
    return rows;
  }

  private static Map<String, Object> run(Data data, Method m) throws Exception {
    DistillationMethod method = m.method();
    SoftLabelReader reader = new SoftLabelReader(data.spec(), method.combination(), -1, Set.of());
    HeldOutSlice slice = new HeldOutSlice(10);
    List<TrainingSample> train = new ArrayList<>();
    List<TrainingSample> heldOut = new ArrayList<>();
    for (int i = 0; i < data.stream().size(); i++) {
      SoftLabel label = data.stream().get(i);
      TrainingSample s = reader.read(m.allTeachers() ? label : firstTeacherOnly(label));
      if (method.needsEmbedding()) {
        // What the reader does with an embedding carried in the soft label (see the Labelled record).
        s = new TrainingSample(s.vector(), s.buckets(), s.teacherLogits(), s.teacherClass(), s.label(),
            data.streamEmbeddings()[i]);
      }
      (slice.isHeldOut(label.getEvent().getId()) ? heldOut : train).add(s);
    }
    long started = System.nanoTime();
    Map<String, Object> row = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    Compression compression = m.compression();
    try (StudentLearner learner = new StudentLearner(data.spec(), method, data.settings().learningRate(), SEED);
        StudentLearner served = new StudentLearner(data.spec(), method, data.settings().learningRate(), SEED)) {
      if (method.autoTune()) {
        TemperatureAlphaSearch.Result tuned = TemperatureAlphaSearch.search(data.spec(), method, data.settings().learningRate(), SEED,
            BATCH, train.subList(0, Math.min(2_000, train.size())), heldOut.subList(0, Math.min(2_000, heldOut.size())));
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
      for (int from = 0; from < train.size(); from += BATCH) {
        learner.trainStep(train.subList(from, Math.min(train.size(), from + BATCH)));
        int trained = Math.min(train.size(), from + BATCH);
        double prune = compression.pruneTo(trained, learner.sparsity());
        if (!Double.isNaN(prune)) {
          learner.prune(prune);
        }
        if (trained >= nextVersion || trained == train.size()) {
          nextVersion += data.versionEvery();
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
          if (method.selfWeight() > 0) {
            learner.selfTeacher(served);
          }
          int[] predicted = predict(shipped, data.testInputs());
          if (previous != null) {
            churns.add(StepResult.churn(previous, predicted));
          }
          previous = predicted;
        }
      }
      row.put("trainSeconds", (System.nanoTime() - started) / 1e9);
      int[] predicted = previous;
      int errors = 0;
      int agreed = 0;
      for (int i = 0; i < predicted.length; i++) {
        SoftLabel label = data.test().get(i);
        int truth = data.spec().classes().indexOf(label.getEvent().getLabel());
        errors += predicted[i] != truth ? 1 : 0;
        agreed += predicted[i] == teacherClass(m.allTeachers() ? label : firstTeacherOnly(label),
            method.combination()) ? 1 : 0;
      }
      row.put("testAccuracy", 1.0 - (double) errors / predicted.length);
      row.put("testErrors", errors);
      row.put("testAgreement", (double) agreed / predicted.length);
      row.put("meanChurn", churns.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
      row.put("versions", churns.size() + 1);
      row.put("sizeBytes", shippedBytes.length);
      row.put("edgeMicros", edgeMicros(shipped, data.testInputs()));
      if (compression.compresses()) {
        StudentModel floatSelf = StudentModel.create(data.spec(), learner.weights());
        int[] floatPredicted = predict(floatSelf, data.testInputs());
        int floatErrors = 0;
        for (int i = 0; i < floatPredicted.length; i++) {
          floatErrors += floatPredicted[i] != data.spec().classes().indexOf(data.test().get(i).getEvent().getLabel())
              ? 1 : 0;
        }
        row.put("floatSelfErrors", floatErrors);
        row.put("sparsity", learner.sparsity());
        row.put("floatBytes", learner.weights().encode().length);
        notes.add(String.format(Locale.ROOT, "sparsity %.2f, float self %d errors, %.1fx smaller", learner.sparsity(),
            floatErrors, (double) learner.weights().encode().length / shippedBytes.length));
      }
      if (method.fade().kind() != AlphaFade.Kind.NONE) {
        notes.add(String.format(Locale.ROOT, "α ended at %.2f", learner.loss().alpha()));
      }
      if (method.needsEmbedding()) {
        double[] errs = learner.representationErrors(heldOut.subList(0, Math.min(640, heldOut.size())));
        notes.add(String.format(Locale.ROOT, "held-out hint error %.3f, relational error %.4f", errs[0], errs[1]));
      }
    }
    row.put("notes", String.join("; ", notes));
    return row;
  }

  private static SoftLabel firstTeacherOnly(SoftLabel label) {
    return SoftLabel.newBuilder(label).setTeachers(List.of(label.getTeachers().get(0))).build();
  }

  private static int teacherClass(SoftLabel label, TeacherCombination combination) {
    float[][] logits = label.getTeachers().stream().map(t -> AvroValues.floats(t.getLogits())).toArray(float[][]::new);
    return combination.argMax(logits);
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

  private static Data mnist(int events) {
    MnistSource train = MnistSoftLabels.train();
    MnistSource test = MnistSoftLabels.test();
    Path second = MnistTeacherTrainer.trainedOrCached(MnistTeacherTrainer.defaultCacheDirectory(),
        MnistTeacherTrainer.Options.DEFAULT.withSeed(7).withEpochs(10));
    List<Teacher> teachers = List.of(withHiddenLayerAsEmbedding(TeacherCatalog.resolve("mnist")),
        TeacherCatalog.load(second.toString()));
    try {
      Labelled stream = label(teachers, examples(train, events), StudentPresets.DIGITS, "mnist/train", true);
      List<Example> testExamples = examples(test, test.size());
      Labelled testLabels = label(teachers, testExamples, StudentPresets.DIGITS, "mnist/test", false);
      return new Data("MNIST", StudentPresets.resolve("mnist-64"), stream.labels(), stream.embeddings(),
          testLabels.labels(), testExamples.stream().map(e -> StudentInput.ofVector(e.vector())).toList(), 5_000,
          width(stream), new Settings(0.002f, 4f, 1f));
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

  private static Data mail(int passes) {
    SpamAssassinSource corpus = SpamAssassinSource.load(DatasetCache.atDefaultDirectory());
    List<Example> train = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      Example e = corpus.get(i);
      (MailSplit.isTest(e.id()) ? test : train).add(e);
    }
    try (Teacher teacher = TeacherCatalog.load("mail")) {
      Labelled once = label(List.of(teacher), train, StudentPresets.MAIL, "mail/train", true);
      List<SoftLabel> stream = new ArrayList<>();
      List<float[]> embeddings = new ArrayList<>();
      Random random = new Random(SEED);
      for (int pass = 0; pass < passes; pass++) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < once.labels().size(); i++) {
          order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        for (int i : order) {
          stream.add(once.labels().get(i));
          embeddings.add(once.embeddings()[i]);
        }
      }
      Labelled testLabels = label(List.of(teacher), test, StudentPresets.MAIL, "mail/test", false);
      return new Data("E-mail (SpamAssassin)", StudentPresets.resolve("mail-ngram"), stream,
          embeddings.toArray(float[][]::new), testLabels.labels(),
          test.stream().map(e -> StudentInput.ofText(e.text())).toList(), 2_000, width(once),
          new Settings(0.01f, 2f, 0.1f));
    }
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

  /**
   * Soft labels of every teacher for the examples. In the stream, ground truth is kept on a seeded
   * 30% of the events; test labels always keep it (it is what they are judged on).
   */
  private static Labelled label(List<Teacher> teachers, List<Example> examples, List<String> classes,
      String source, boolean stream) {
    List<List<TeacherOutput>> outputs = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      outputs.add(new ArrayList<>());
    }
    float[][] embeddings = new float[examples.size()][];
    for (Teacher teacher : teachers) {
      long started = System.nanoTime();
      boolean first = teacher == teachers.get(0);
      try (TeacherPredictor predictor = teacher.newPredictor()) {
        for (int from = 0; from < examples.size(); from += 256) {
          List<Example> part = examples.subList(from, Math.min(examples.size(), from + 256));
          List<Prediction> predictions = predictor.predict(part.stream()
              .map(e -> e.text() != null ? TeacherInput.ofText(e.text()) : TeacherInput.ofVector(e.vector())).toList());
          for (int i = 0; i < part.size(); i++) {
            Prediction p = predictions.get(i);
            outputs.get(from + i).add(new TeacherOutput(teacher.descriptor().id(), teacher.descriptor().version(),
                AvroValues.boxed(p.logits()), null));
            if (first) {
              embeddings[from + i] = p.embedding();
            }
          }
        }
        System.out.printf(Locale.ROOT, "labelled %,d %s examples with %s in %.1f s%n", examples.size(), source,
            teacher.descriptor().id(), (System.nanoTime() - started) / 1e9);
      }
    }
    Random random = new Random(SEED);
    List<SoftLabel> labels = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      boolean keepTruth = !stream || random.nextDouble() < LABELLED_SHARE;
      InputEvent event = InputEvent.newBuilder().setId(e.id() + "#" + i).setTimestamp(Instant.now()).setSource(source)
          .setVector(e.vector() == null ? null : AvroValues.boxed(e.vector())).setText(e.text())
          .setLabel(keepTruth ? e.label() : null).setAttributes(Map.of()).build();
      labels.add(SoftLabel.newBuilder().setEvent(event).setInput((InputPosition) null).setClasses(classes)
          .setTeachers(outputs.get(i)).setLabelledAt(Instant.now()).build());
    }
    return new Labelled(labels, embeddings);
  }
}
