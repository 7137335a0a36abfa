package io.streamdistill.trainer;

import io.streamdistill.config.NameLists;
import io.streamdistill.schemas.EventAttributes;
import io.streamdistill.schemas.EventKind;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.serde.RegistryOutage;
import io.streamdistill.student.ConvSpec;
import io.streamdistill.student.FieldSpec;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.student.NgramSpec;
import io.streamdistill.student.StudentSpec;
import io.streamdistill.trainer.stream.VersionHistory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --student auto}: a student for the data on the soft-label topic, chosen before the trainer
 * is built. When the model already has a published version, its architecture (the trainer resumes
 * from it). Otherwise the first soft labels decide, by the payload most of them carry:
 *
 * <ul>
 *   <li>text: a hashed n-gram student ({@code mail-ngram}'s featurizer and width, wider for more than
 *       {@value #NGRAM_NARROW_CLASSES} classes: {@link #ngramWidth}) over the soft labels' classes;
 *   <li>a dense vector: an MLP from the vectors' width through one hidden layer of {@value #HIDDEN};
 *   <li>an image, a dense vector whose {@link ImageShape} is known (given, or announced by the events'
 *       producer in {@link EventAttributes#IMAGE_SHAPE}): a {@code cnn}, two blocks of 3x3
 *       convolutions ({@value #CONV_FILTERS_FIRST} then twice as many filters; one block for images under
 *       4 pixels a side; an MLP for images 1 pixel wide) and a hidden layer of {@value #HIDDEN}, its
 *       input standardised by the mean and standard deviation of the sample's pixels;
 *   <li>a structured record: a {@code fields-mlp} with one hidden layer of {@value #HIDDEN}, its
 *       {@link FieldSpec} fitted to those records (at most {@value #MAX_CATEGORY_VALUES} values per
 *       categorical field), so the statistics are fixed in every version's spec.
 * </ul>
 *
 * <p>{@link #choose} is the rule, a plain function; {@link #resolve} reads the topics for it.
 */
public final class AutoStudent {
  private static final Logger LOGGER = LoggerFactory.getLogger(AutoStudent.class);

  /** The n-gram student's embedding width ({@code mail-ngram}'s), up to {@link #NGRAM_NARROW_CLASSES} classes. */
  static final int NGRAM_WIDTH = 16;
  static final int NGRAM_NARROW_CLASSES = 64;
  static final int NGRAM_MAX_WIDTH = 64;

  /** The name that asks for this choice, and the trainer's default. */
  public static final String NAME = "auto";
  /** Soft labels read to choose, at most. */
  public static final int DEFAULT_SAMPLE = 500;
  /** How long to read them before choosing from those there are. */
  public static final String DEFAULT_WAIT = "30s";
  /** Width of the one hidden layer of a chosen MLP or cnn. */
  public static final int HIDDEN = 64;
  /** Filters of a chosen cnn's first convolution; its second has twice as many. */
  public static final int CONV_FILTERS_FIRST = 16;
  /**
   * Known values per categorical field: enough for the usual protocol, service and flag codes; the
   * rarer ones share the unseen slot.
   */
  public static final int MAX_CATEGORY_VALUES = 32;

  private AutoStudent() {}

  /**
   * A chosen student and why.
   *
   * @param reason one line for the user, e.g. {@code picked fields-mlp: 12 numeric, 3 categorical
   *     fields from 500 soft labels}
   */
  public record Choice(StudentSpec spec, String reason) {}

  /**
   * The student for the model: its published architecture when it has one, else the one {@link
   * #choose} picks from the first {@code sample} soft labels on the topic (those there are after
   * {@code wait}; when there is none yet, the first one, however long it takes).
   *
   * @throws IllegalStateException when a topic does not exist or the soft labels give no student
   */
  public static Choice resolve(Map<String, Object> clientConfig, String softLabelTopic, String modelTopic,
      String modelName, int sample, Duration wait) {
    return resolve(clientConfig, softLabelTopic, modelTopic, modelName, sample, wait, null, () -> null);
  }

  /**
   * As {@link #resolve(Map, String, String, String, int, Duration)}, for vectors that may be images of
   * a known shape, and for a caller that knows when waiting for a first soft label is pointless: while
   * there is none, {@code giveUp} is asked now and then, and a reason it returns (not null) ends the wait.
   *
   * @param image the shape of the vectors' images, or null when they are not images or it is not known
   * @throws IllegalStateException with that reason, when it gave up before a first soft label
   */
  public static Choice resolve(Map<String, Object> clientConfig, String softLabelTopic, String modelTopic,
      String modelName, int sample, Duration wait, ImageShape image, Supplier<String> giveUp) {
    Optional<StudentModelVersion> latest = VersionHistory.latest(clientConfig, modelTopic, modelName,
        Duration.ofSeconds(60));
    if (latest.isPresent()) {
      StudentModelVersion version = latest.get();
      StudentSpec spec = StudentSpec.fromJson(version.getArchitecture());
      return new Choice(spec, "resuming " + spec.kind() + " of " + modelName + " v" + version.getVersion()
          + ", its published architecture");
    }
    List<SoftLabel> labels = firstSoftLabels(clientConfig, softLabelTopic, sample, wait, giveUp);
    try {
      return choose(labels, image);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot pick a student from " + labels.size() + " soft labels on "
          + softLabelTopic + ": " + e.getMessage() + "; name one with --student", e);
    }
  }

  /**
   * The student for these soft labels (late labels and labels without a teacher output are left
   * out): over the classes most of them have, for the payload most of them carry (a structured
   * record before a vector before text when an event carries several).
   *
   * @throws IllegalArgumentException when no label carries a payload
   */
  public static Choice choose(List<SoftLabel> labels) {
    return choose(labels, null);
  }

  /**
   * As {@link #choose(List)}; vectors of {@code image}'s size are images of that shape.
   *
   * @param image null when the vectors are not images or their shape is not known
   * @throws IllegalArgumentException when no label carries a payload, or the vectors are not of the image's size
   */
  public static Choice choose(List<SoftLabel> labels, ImageShape image) {
    List<SoftLabel> usable = labels.stream()
        .filter(l -> l.getEvent().getKind() != EventKind.LATE_LABEL && !l.getTeachers().isEmpty()).toList();
    if (usable.isEmpty()) {
      throw new IllegalArgumentException("no soft label with a teacher output");
    }
    List<String> classes = mostFrequent(usable, SoftLabel::getClasses);
    List<SoftLabel> ofClasses = usable.stream().filter(l -> l.getClasses().equals(classes)).toList();
    String from = ofClasses.size() + " soft labels, classes " + NameLists.bracketed(classes);
    Payload payload = mostFrequent(ofClasses, AutoStudent::payload);
    List<SoftLabel> carrying = ofClasses.stream().filter(l -> payload(l) == payload).toList();
    return switch (payload) {
      case FIELDS -> {
        List<Map<String, Object>> records = carrying.stream().map(l -> l.getEvent().getStructured()).toList();
        FieldSpec fields = FieldSpec.fit(records, MAX_CATEGORY_VALUES);
        MlpSpec spec = MlpSpec.overFields(classes, fields, List.of(HIDDEN));
        List<String> leftOut = FieldSpec.leftOut(records, fields);
        yield new Choice(spec, "picked " + spec.kind() + ": " + fields.numeric().size() + " numeric, "
            + fields.categorical().size() + " categorical" + (fields.text().isEmpty() ? "" : ", "
                + fields.text().size() + " of words") + " fields (" + fields.width() + " features"
            + (leftOut.isEmpty() ? "" : "; left out, a different value in nearly every record: "
                + String.join(", ", leftOut)) + ") from " + carrying.size() + " of " + from);
      }
      case VECTOR -> {
        int width = mostFrequent(carrying, l -> l.getEvent().getVector().size());
        if (width < 1) {
          throw new IllegalArgumentException("the vectors are empty");
        }
        ImageShape shape = image != null ? image : announcedShape(carrying, width);
        if (shape != null && Math.min(shape.rows(), shape.cols()) > 1) {
          if (shape.size() != width) {
            throw new IllegalArgumentException("images of " + shape + " are " + shape.size() + " values, the vectors"
                + " have " + width);
          }
          ConvSpec spec = cnn(classes, shape, carrying);
          yield new Choice(spec, "picked cnn " + spec.filters() + " filters of 3x3, hidden " + HIDDEN + ": images of "
              + shape + " in " + carrying.size() + " of " + from);
        }
        MlpSpec spec = new MlpSpec(classes, width, List.of(HIDDEN));
        yield new Choice(spec, "picked " + spec.kind() + " " + width + "-" + HIDDEN + "-" + classes.size()
            + ": vectors of " + width + " values in " + carrying.size() + " of " + from);
      }
      case TEXT -> {
        int width = ngramWidth(classes.size());
        NgramSpec spec = new NgramSpec(classes, NgramFeaturizer.Settings.defaults(), width);
        String as = width == NGRAM_WIDTH ? "as mail-ngram" : "as mail-ngram, " + width + " wide for " + classes.size()
            + " classes";
        yield new Choice(spec, "picked " + spec.kind() + " (" + as + "): text in " + carrying.size() + " of " + from);
      }
      case NONE -> throw new IllegalArgumentException("their events carry no text, vector or structured record");
    };
  }

  /**
   * The hashed n-gram student's embedding width for {@code classes} classes: {@code mail-ngram}'s {@value
   * #NGRAM_WIDTH} up to {@value #NGRAM_NARROW_CLASSES} classes, then the power of two of at least a quarter of
   * the classes, at most {@value #NGRAM_MAX_WIDTH}. The sum of a text's n-gram rows is all the output layer
   * sees, and 16 numbers held 150 classes back. Measured with {@code ./distill demo --source} on synthetic
   * intents (40 short texts each, a teacher of 98.8%, three passes; 2026-12-06, one run each): 150 classes at 16
   * wide, held-out agreement 89.9% and 90.4% in two runs, 12% of the requests answered by the student alone;
   * at 32, 99.0% and 50%; at 64, 99.6% and 71%. 50 classes at 16 wide: 99.7%.
   */
  static int ngramWidth(int classes) {
    if (classes <= NGRAM_NARROW_CLASSES) {
      return NGRAM_WIDTH;
    }
    int quarter = (classes + 3) / 4;
    int width = Integer.highestOneBit(quarter) == quarter ? quarter : Integer.highestOneBit(quarter) << 1;
    return Math.min(NGRAM_MAX_WIDTH, Math.max(NGRAM_WIDTH, width));
  }

  /**
   * The image shape most of these labels' events announce ({@link EventAttributes#IMAGE_SHAPE}, as producers of
   * images set it), when it is one and fits vectors of {@code width}; else null.
   */
  private static ImageShape announcedShape(List<SoftLabel> labels, int width) {
    String announced = mostFrequent(labels, l -> {
      Map<String, String> attributes = l.getEvent().getAttributes();
      return attributes == null ? "" : attributes.getOrDefault(EventAttributes.IMAGE_SHAPE, "");
    });
    if (announced.isEmpty()) {
      return null;
    }
    try {
      ImageShape shape = ImageShape.parse(EventAttributes.IMAGE_SHAPE, announced);
      return shape.size() == width ? shape : null;
    } catch (IllegalArgumentException e) {
      LOGGER.warn("the events announce the image shape '{}', which is not one: an MLP is picked", announced);
      return null;
    }
  }

  /** The cnn for images of this shape, its input standardised by the mean and sd of these labels' pixels. */
  private static ConvSpec cnn(List<String> classes, ImageShape image, List<SoftLabel> labels) {
    double sum = 0;
    double squares = 0;
    long n = 0;
    for (SoftLabel label : labels) {
      for (Float value : label.getEvent().getVector()) {
        double v = value;
        if (Double.isFinite(v)) {
          sum += v;
          squares += v * v;
          n++;
        }
      }
    }
    double mean = n == 0 ? 0 : sum / n;
    double sd = n == 0 ? 0 : Math.sqrt(Math.max(0, squares / n - mean * mean));
    int blocks = Math.min(2, 31 - Integer.numberOfLeadingZeros(Math.min(image.rows(), image.cols())));
    List<Integer> filters = blocks < 2 ? List.of(CONV_FILTERS_FIRST) : List.of(CONV_FILTERS_FIRST,
        2 * CONV_FILTERS_FIRST);
    return new ConvSpec(classes, image.channels(), image.rows(), image.cols(), filters, List.of(HIDDEN),
        (float) mean, sd > 1e-6 ? (float) (1 / sd) : 1f);
  }

  private enum Payload {
    FIELDS, VECTOR, TEXT, NONE
  }

  private static Payload payload(SoftLabel label) {
    var event = label.getEvent();
    if (event.getStructured() != null) {
      return Payload.FIELDS;
    }
    if (event.getVector() != null) {
      return Payload.VECTOR;
    }
    return event.getText() != null ? Payload.TEXT : Payload.NONE;
  }

  /** The most frequent key; ties go to the key seen first. */
  private static <K> K mostFrequent(List<SoftLabel> labels, Function<SoftLabel, K> key) {
    Map<K, Integer> counts = new LinkedHashMap<>();
    for (SoftLabel l : labels) {
      counts.merge(key.apply(l), 1, Integer::sum);
    }
    // Stream.max keeps the first of equal elements.
    return counts.entrySet().stream().max(Comparator.comparingInt(Map.Entry<K, Integer>::getValue)).orElseThrow()
        .getKey();
  }

  /**
   * Up to {@code n} committed soft labels from the start of the topic, read by a consumer of its own
   * that joins no group and commits nothing (the trainer's offsets stay where they are).
   */
  private static List<SoftLabel> firstSoftLabels(Map<String, Object> clientConfig, String topic, int n, Duration wait,
      Supplier<String> giveUp) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // As the trainer reads: only what the teacher service committed.
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, n));
    List<SoftLabel> labels = new ArrayList<>();
    int undecodable = 0;
    try (AvroSerde<SoftLabel> serde = AvroSerde.forValues(SoftLabel.class, clientConfig);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      Deserializer<SoftLabel> deserializer = serde.deserializer();
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60));
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist (./distill stack creates it)");
      }
      List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      long deadline = System.nanoTime() + wait.toNanos();
      boolean told = false;
      while (labels.size() < n && (labels.isEmpty() || System.nanoTime() < deadline)) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          if (labels.size() >= n) {
            break;
          }
          try {
            SoftLabel label = RegistryOutage.retry("sampling soft labels from " + record.topic(), wait, () -> false,
                () -> deserializer.deserialize(record.topic(), record.value()));
            if (label != null) {
              labels.add(label);
            }
          } catch (RuntimeException e) {
            // The trainer dead-letters it with the reason; here it only does not count.
            undecodable++;
          }
        }
        if (labels.isEmpty()) {
          String reason = giveUp.get();
          if (reason != null) {
            throw new IllegalStateException("no soft label to pick a student from: " + reason);
          }
        }
        if (labels.isEmpty() && !told && System.nanoTime() >= deadline) {
          told = true;
          LOGGER.atInfo().addKeyValue("topic", topic)
              .log("no soft label yet; waiting for the first to pick a student (or name one with --student)");
        }
      }
    }
    LOGGER.atInfo().addKeyValue("topic", topic).addKeyValue("read", labels.size())
        .addKeyValue("undecodable", undecodable).log("soft labels read to pick a student");
    return labels;
  }
}
