package io.streamdistill.reliability.traffic;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Real traffic: MNIST images (from the cache the producers fill) as input events, and as soft labels
 * of the project's real MNIST teacher, exactly as the teacher service publishes them without
 * embeddings. The same as the trainer's test class {@code MnistSoftLabels}, which the campaign cannot
 * use: it is a command, and test classes do not ship.
 */
public final class MnistTraffic {
  /** The classes of every MNIST teacher and student. */
  public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private MnistTraffic() {}

  public static MnistSource trainImages() {
    return MnistSource.train(DatasetCache.atDefaultDirectory());
  }

  public static MnistSource testImages() {
    return MnistSource.test(DatasetCache.atDefaultDirectory());
  }

  /** The id of the project's MNIST teacher (trained once per machine, then cached), without loading it. */
  public static String teacherId() {
    return TeacherDirectory.read(TeacherCatalog.resolve("mnist")).id();
  }

  /**
   * A steady stream of image input events for a {@link PacedProducer}: event {@code name-sequence} is test image
   * {@code sequence} (round the set), keyed by its id.
   */
  public static PacedProducer.RecordSource inputEvents(String name, String topic, MnistSource images,
      AvroBytes<InputEvent> bytes) {
    return sequence -> {
      String id = name + "-" + sequence;
      InputEvent event = event(id, images.get((int) (sequence % images.size())), "reliability");
      return new ProducerRecord<>(topic, id, bytes.of(topic, event));
    };
  }

  /** An input event of an image, under the given id. */
  public static InputEvent event(String id, Example image, String source) {
    return InputEvent.newBuilder().setId(id).setTimestamp(Instant.now()).setSource(source)
        .setVector(AvroValues.boxed(image.vector())).setLabel(image.label()).setAttributes(Map.of()).build();
  }

  /**
   * Soft labels of the first {@code count} images, by the real teacher, in batches of 256 (one model
   * call each, as the service batches).
   */
  public static List<SoftLabel> softLabels(MnistSource images, int count) {
    List<SoftLabel> labels = new ArrayList<>(count);
    try (Teacher teacher = TeacherCatalog.load("mnist"); TeacherPredictor predictor = teacher.newPredictor()) {
      for (int start = 0; start < count; start += 256) {
        List<Example> batch = new ArrayList<>();
        for (int i = start; i < Math.min(count, start + 256); i++) {
          batch.add(images.get(i % images.size()));
        }
        List<Prediction> predictions = predictor.predict(batch.stream()
            .map(e -> TeacherInput.ofVector(e.vector())).toList());
        for (int i = 0; i < batch.size(); i++) {
          labels.add(softLabel(event(batch.get(i).id(), batch.get(i), "mnist/train"), teacher.descriptor().id(),
              teacher.descriptor().version(), predictions.get(i).logits()));
        }
      }
    }
    return labels;
  }

  /** A soft label as the service writes it: the event, the classes, one teacher's logits, no embedding. */
  public static SoftLabel softLabel(InputEvent event, String teacherId, String teacherVersion, float[] logits) {
    return SoftLabel.newBuilder().setEvent(event).setInput((InputPosition) null).setClasses(DIGITS)
        .setTeachers(List.of(new TeacherOutput(teacherId, teacherVersion, AvroValues.boxed(logits), null)))
        .setLabelledAt(Instant.now()).build();
  }

  /** A copy of the soft label for another event id (a new event with the same image). */
  public static SoftLabel withId(SoftLabel label, String id) {
    InputEvent event = InputEvent.newBuilder(label.getEvent()).setId(id).setTimestamp(Instant.now()).build();
    return SoftLabel.newBuilder(label).setEvent(event).setLabelledAt(Instant.now()).build();
  }
}
