package io.streamdistill.trainer;

import io.streamdistill.datasets.Example;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Soft labels of real teachers for the trainer's benchmarks, as the teacher service would publish
 * them (without embeddings; the first teacher's are kept apart as primitive arrays: 60,000 MNIST
 * embeddings of 1,200 floats would not fit the heap as boxed lists). The teachers' outputs are cached
 * under {@code target/benchmarks/labels-cache}, keyed by teacher version and examples: labelling the
 * mail corpus with MiniLM takes minutes on two cores, every run.
 */
final class CachedSoftLabels {
  /** The soft labels and the first teacher's embedding of each (null where it has none). */
  record Labelled(List<SoftLabel> labels, float[][] embeddings) {}

  private CachedSoftLabels() {}

  /**
   * Soft labels of every teacher for the examples. In a {@code stream}, ground truth is kept on a
   * share of the events drawn with {@code seed}; otherwise (a test set) always.
   */
  static Labelled label(List<Teacher> teachers, List<Example> examples, List<String> classes, String source,
      boolean stream, double labelledShare, long seed) throws IOException {
    List<List<TeacherOutput>> outputs = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      outputs.add(new ArrayList<>());
    }
    float[][] embeddings = new float[examples.size()][];
    for (Teacher teacher : teachers) {
      long started = System.nanoTime();
      boolean first = teacher == teachers.get(0);
      Path cached = Path.of("target", "benchmarks", "labels-cache", String.format(Locale.ROOT, "%s-%s-%s-%d-%08x.bin",
          source.replace('/', '_'), teacher.descriptor().id(), teacher.descriptor().version(), examples.size(),
          examples.stream().map(Example::id).toList().hashCode()));
      if (readCached(cached, teacher, outputs, first ? embeddings : null)) {
        System.out.printf(Locale.ROOT, "read %,d %s soft labels of %s from %s%n", examples.size(), source,
            teacher.descriptor().id(), cached);
        continue;
      }
      List<float[]> logits = new ArrayList<>();
      List<float[]> vectors = new ArrayList<>();
      try (TeacherPredictor predictor = teacher.newPredictor()) {
        for (int from = 0; from < examples.size(); from += 256) {
          List<Example> part = examples.subList(from, Math.min(examples.size(), from + 256));
          List<Prediction> predictions = predictor.predict(part.stream()
              .map(e -> e.fields() != null ? TeacherInput.ofFields(e.fields())
                  : e.text() != null ? TeacherInput.ofText(e.text()) : TeacherInput.ofVector(e.vector())).toList());
          for (int i = 0; i < part.size(); i++) {
            Prediction p = predictions.get(i);
            outputs.get(from + i).add(new TeacherOutput(teacher.descriptor().id(), teacher.descriptor().version(),
                AvroValues.boxed(p.logits()), null));
            logits.add(p.logits());
            vectors.add(p.embedding());
            if (first) {
              embeddings[from + i] = p.embedding();
            }
          }
        }
        System.out.printf(Locale.ROOT, "labelled %,d %s examples with %s in %.1f s%n", examples.size(), source,
            teacher.descriptor().id(), (System.nanoTime() - started) / 1e9);
      }
      writeCached(cached, logits, vectors);
    }
    Random random = new Random(seed);
    List<SoftLabel> labels = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      boolean keepTruth = !stream || random.nextDouble() < labelledShare;
      InputEvent event = InputEvent.newBuilder().setId(e.id() + "#" + i).setTimestamp(Instant.now()).setSource(source)
          .setVector(e.vector() == null ? null : AvroValues.boxed(e.vector())).setText(e.text())
          .setStructured(e.fields())
          .setLabel(keepTruth ? e.label() : null).setAttributes(Map.of()).build();
      labels.add(SoftLabel.newBuilder().setEvent(event).setInput((InputPosition) null).setClasses(classes)
          .setTeachers(outputs.get(i)).setLabelledAt(Instant.now()).build());
    }
    return new Labelled(labels, embeddings);
  }

  private static boolean readCached(Path file, Teacher teacher, List<List<TeacherOutput>> outputs,
      float[][] embeddings) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int n = in.readInt();
      if (n != outputs.size()) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        float[] logits = readFloats(in);
        float[] embedding = readFloats(in);
        outputs.get(i).add(new TeacherOutput(teacher.descriptor().id(), teacher.descriptor().version(),
            AvroValues.boxed(logits), null));
        if (embeddings != null) {
          embeddings[i] = embedding;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    float[] values = new float[length];
    for (int i = 0; i < length; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }

  private static void writeCached(Path file, List<float[]> logits, List<float[]> embeddings) throws IOException {
    Files.createDirectories(file.getParent());
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
      out.writeInt(logits.size());
      for (int i = 0; i < logits.size(); i++) {
        for (float[] values : new float[][] {logits.get(i), embeddings.get(i)}) {
          out.writeInt(values == null ? -1 : values.length);
          if (values != null) {
            for (float v : values) {
              out.writeFloat(v);
            }
          }
        }
      }
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
  }
}
