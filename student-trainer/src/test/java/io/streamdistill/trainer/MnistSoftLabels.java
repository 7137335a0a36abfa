package io.streamdistill.trainer;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Real soft labels for the trainer's integration tests and benchmarks: MNIST images labelled by the
 * project's real MNIST teacher (trained once per machine, then cached), exactly as the teacher
 * service would publish them (without embeddings).
 */
public final class MnistSoftLabels {
  private MnistSoftLabels() {}

  /**
   * Soft labels of the MNIST images {@code from .. from+count} of a split.
   *
   * @param withGroundTruth whether the events carry their label
   */
  public static List<SoftLabel> label(MnistSource images, int from, int count, boolean withGroundTruth) {
    return label("mnist", images, from, count, withGroundTruth);
  }

  /**
   * Soft labels of the MNIST images {@code from .. from+count} of a split, by {@code teacherName}: a teacher
   * directory or a {@link TeacherCatalog} preset.
   */
  public static List<SoftLabel> label(String teacherName, MnistSource images, int from, int count,
      boolean withGroundTruth) {
    List<SoftLabel> labels = new ArrayList<>(count);
    try (Teacher teacher = TeacherCatalog.load(teacherName); TeacherPredictor predictor = teacher.newPredictor()) {
      for (int start = from; start < from + count; start += 256) {
        List<Example> examples = new ArrayList<>();
        for (int i = start; i < Math.min(from + count, start + 256); i++) {
          examples.add(images.get(i % images.size()));
        }
        List<Prediction> predictions = predictor.predict(examples.stream().map(e -> TeacherInput.ofVector(e.vector()))
            .toList());
        for (int i = 0; i < examples.size(); i++) {
          Example example = examples.get(i);
          String id = example.id() + (start + i >= images.size() ? "-pass" + (start + i) / images.size() : "");
          InputEvent event = InputEvent.newBuilder().setId(id).setTimestamp(Instant.now()).setSource("mnist/train")
              .setVector(AvroValues.boxed(example.vector())).setLabel(withGroundTruth ? example.label() : null)
              .setAttributes(Map.of()).build();
          labels.add(SoftLabel.newBuilder().setEvent(event).setInput((InputPosition) null)
              .setClasses(StudentPresets.DIGITS)
              .setTeachers(List.of(new TeacherOutput(teacher.descriptor().id(), teacher.descriptor().version(),
                  AvroValues.boxed(predictions.get(i).logits()), null)))
              .setLabelledAt(Instant.now()).build());
        }
      }
    }
    return labels;
  }

  public static MnistSource train() {
    return MnistSource.train(DatasetCache.atDefaultDirectory());
  }

  public static MnistSource test() {
    return MnistSource.test(DatasetCache.atDefaultDirectory());
  }

  /**
   * A poisoned copy: for the labels {@code poisoned} selects, each teacher's logits are rotated by one
   * class (class c's score goes to c+1), so the teacher teaches the wrong digit, and the ground truth is
   * dropped; the others are unchanged.
   */
  public static List<SoftLabel> poisoned(List<SoftLabel> labels, Predicate<SoftLabel> poisoned) {
    List<SoftLabel> result = new ArrayList<>(labels.size());
    for (SoftLabel label : labels) {
      if (!poisoned.test(label)) {
        result.add(label);
        continue;
      }
      SoftLabel copy = SoftLabel.newBuilder(label).build();
      copy.getEvent().setLabel(null);
      List<TeacherOutput> teachers = new ArrayList<>();
      for (TeacherOutput t : label.getTeachers()) {
        List<Float> z = t.getLogits();
        List<Float> rotated = new ArrayList<>(z.size());
        for (int c = 0; c < z.size(); c++) {
          rotated.add(z.get((c + z.size() - 1) % z.size()));
        }
        teachers.add(new TeacherOutput(t.getTeacherId(), t.getTeacherVersion(), rotated, null));
      }
      copy.setTeachers(teachers);
      result.add(copy);
    }
    return result;
  }

  /** Produces the labels (key: event id), idempotently, and waits until all are acknowledged. */
  // The sends' callback keeps the first failure, which is thrown after the flush: the futures add nothing.
  @SuppressWarnings("FutureReturnValueIgnored")
  public static void produce(LocalStack stack, String topic, List<SoftLabel> labels) {
    Map<String, Object> config = new HashMap<>(stack.clientConfig());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    try (AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, stack.clientConfig());
        KafkaProducer<String, SoftLabel> producer = new KafkaProducer<>(config, new StringSerializer(),
            serde.serializer())) {
      java.util.concurrent.atomic.AtomicReference<Exception> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      for (SoftLabel label : labels) {
        producer.send(new ProducerRecord<>(topic, label.getEvent().getId(), label), (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
      }
      producer.flush();
      if (failure.get() != null) {
        throw new IllegalStateException("producing soft labels failed", failure.get());
      }
    }
  }
}
