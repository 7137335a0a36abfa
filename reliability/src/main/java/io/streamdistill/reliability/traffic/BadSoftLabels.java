package io.streamdistill.reliability.traffic;

import io.streamdistill.datasets.Example;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.schemas.TeacherOutput;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Bad soft labels of every kind the trainer (an MNIST student, learning only from one known teacher)
 * must send to dead letters instead of learning from or dying on: bytes that are not a soft label,
 * logits of the wrong width or not finite, classes that are not the student's, an unknown teacher or
 * ground truth, an input the student's featurizer refuses. Every kind comes in turn.
 *
 * <p>Not thread-safe (one Random).
 */
public final class BadSoftLabels {
  /** The kinds, named as they appear in the report. */
  public static final List<String> KINDS = List.of(
      "garbage-bytes", "empty-bytes", "wrong-magic-byte", "unknown-schema-id", "other-topics-schema",
      "truncated-avro", "tombstone", "too-few-logits", "too-many-logits", "nan-logit", "infinite-logit",
      "unknown-classes", "unknown-ground-truth", "no-teacher-output", "unknown-teacher", "input-too-narrow",
      "input-missing", "nan-input");

  private final String topic;
  private final AvroBytes<SoftLabel> labels;
  private final byte[] otherTopicsRecord;
  private final Example image;
  private final String teacherId;
  private final Random random;

  /**
   * @param otherTopicsRecord a valid record of another topic's schema (its schema id is registered)
   * @param image a valid image, which each bad label spoils in one way only
   * @param teacherId the one teacher the trainer learns from
   */
  public BadSoftLabels(String topic, AvroBytes<SoftLabel> labels, byte[] otherTopicsRecord, Example image,
      String teacherId, Random random) {
    this.topic = topic;
    this.labels = labels;
    this.otherTopicsRecord = otherTopicsRecord;
    this.image = image;
    this.teacherId = teacherId;
    this.random = random;
  }

  /** The {@code n}-th bad record (its kind is KINDS[n % KINDS.size()]). */
  public BadRecord next(long n) {
    String kind = KINDS.get((int) (n % KINDS.size()));
    String key = BadRecord.key("bad-label", kind, n);
    return new BadRecord(kind, key, value(kind, key));
  }

  private byte[] value(String kind, String id) {
    return switch (kind) {
      case "garbage-bytes" -> WireBytes.garbage(random, 1 + random.nextInt(4_000));
      case "empty-bytes" -> new byte[0];
      case "wrong-magic-byte" -> WireBytes.wrongMagicByte(valid(id), random);
      case "unknown-schema-id" -> WireBytes.withSchemaId(valid(id), 1_000_000 + random.nextInt(1_000_000));
      case "other-topics-schema" -> otherTopicsRecord;
      case "truncated-avro" -> WireBytes.truncated(valid(id), random);
      case "tombstone" -> null;
      case "too-few-logits" -> labels.of(topic, withLogits(id, logits(9)));
      case "too-many-logits" -> labels.of(topic, withLogits(id, logits(11)));
      case "nan-logit" -> labels.of(topic, withLogits(id, spoiled(Float.NaN)));
      case "infinite-logit" -> labels.of(topic, withLogits(id, spoiled(Float.POSITIVE_INFINITY)));
      case "unknown-classes" -> labels.of(topic, SoftLabel.newBuilder(base(id))
          .setClasses(List.of("cat", "dog", "bird", "fish", "ant", "bee", "cow", "eel", "fox", "gnu")).build());
      case "unknown-ground-truth" -> {
        SoftLabel label = base(id);
        label.getEvent().setLabel("eleven");
        yield labels.of(topic, label);
      }
      case "no-teacher-output" -> labels.of(topic, SoftLabel.newBuilder(base(id)).setTeachers(List.of()).build());
      case "unknown-teacher" -> labels.of(topic, SoftLabel.newBuilder(base(id)).setTeachers(List.of(
          new TeacherOutput("rogue-teacher", "v0", AvroValues.boxed(logits(10)), null))).build());
      case "input-too-narrow" -> {
        SoftLabel label = base(id);
        label.getEvent().setVector(AvroValues.boxed(Arrays.copyOf(image.vector(), image.vector().length - 1)));
        yield labels.of(topic, label);
      }
      case "input-missing" -> {
        SoftLabel label = base(id);
        label.getEvent().setVector(null);
        label.getEvent().setText("seven");
        yield labels.of(topic, label);
      }
      case "nan-input" -> {
        SoftLabel label = base(id);
        float[] pixels = image.vector().clone();
        pixels[random.nextInt(pixels.length)] = Float.NaN;
        label.getEvent().setVector(AvroValues.boxed(pixels));
        yield labels.of(topic, label);
      }
      default -> throw new IllegalStateException("no bad soft label of kind " + kind);
    };
  }

  private byte[] valid(String id) {
    return labels.of(topic, base(id));
  }

  /** A valid soft label of the image by the known teacher; each call a new object, free to change. */
  private SoftLabel base(String id) {
    return MnistTraffic.softLabel(MnistTraffic.event(id, image, "reliability/bad-label"), teacherId, "reliability",
        logits(10));
  }

  private SoftLabel withLogits(String id, float[] logits) {
    SoftLabel label = base(id);
    label.getTeachers().get(0).setLogits(AvroValues.boxed(logits));
    return label;
  }

  private float[] logits(int n) {
    float[] z = new float[n];
    for (int i = 0; i < n; i++) {
      z[i] = (float) random.nextGaussian() * 3;
    }
    return z;
  }

  private float[] spoiled(float value) {
    float[] z = logits(10);
    z[random.nextInt(z.length)] = value;
    return z;
  }
}
