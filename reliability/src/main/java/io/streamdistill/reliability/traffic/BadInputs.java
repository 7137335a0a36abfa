package io.streamdistill.reliability.traffic;

import io.streamdistill.datasets.Example;
import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.InputEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Bad input events of every kind the teacher service (a vector teacher, MNIST) must send to dead
 * letters instead of labelling or dying on: bytes that are not the wire format, Avro that does not
 * decode, payloads over the size limit, events whose payload the teacher cannot take. Every kind
 * comes in turn, so that {@code n} records hold each kind about {@code n / kinds} times.
 *
 * <p>Not thread-safe (one Random).
 */
public final class BadInputs {
  /** The kinds, named as they appear in the report. */
  public static final List<String> KINDS = List.of(
      "garbage-bytes", "empty-bytes", "shorter-than-header", "wrong-magic-byte", "unknown-schema-id",
      "other-topics-schema", "truncated-avro", "bytes-left-over", "oversized-payload", "huge-text",
      "empty-text", "text-only", "no-payload", "nan-value", "infinite-value", "negative-infinite-value",
      "vector-too-short", "vector-too-long", "empty-vector", "tombstone");

  private final String topic;
  private final AvroBytes<InputEvent> events;
  private final byte[] otherTopicsRecord;
  private final Example image;
  private final int maxPayloadBytes;
  private final Random random;

  /**
   * @param otherTopicsRecord a valid record of another topic's schema (its schema id is registered)
   * @param image a valid image, which each bad event spoils in one way only
   * @param maxPayloadBytes the service's payload limit: oversized records are made larger than it
   */
  public BadInputs(String topic, AvroBytes<InputEvent> events, byte[] otherTopicsRecord, Example image,
      int maxPayloadBytes, Random random) {
    this.topic = topic;
    this.events = events;
    this.otherTopicsRecord = otherTopicsRecord;
    this.image = image;
    this.maxPayloadBytes = maxPayloadBytes;
    this.random = random;
  }

  /** The {@code n}-th bad record (its kind is KINDS[n % KINDS.size()]). */
  public BadRecord next(long n) {
    String kind = KINDS.get((int) (n % KINDS.size()));
    String key = BadRecord.key("bad-input", kind, n);
    return new BadRecord(kind, key, value(kind, key));
  }

  private byte[] value(String kind, String id) {
    return switch (kind) {
      case "garbage-bytes" -> WireBytes.garbage(random, 1 + random.nextInt(4_000));
      case "empty-bytes" -> new byte[0];
      case "shorter-than-header" -> Arrays.copyOf(valid(id), 1 + random.nextInt(4));
      case "wrong-magic-byte" -> WireBytes.wrongMagicByte(valid(id), random);
      // Far above any id the registry hands out in a campaign.
      case "unknown-schema-id" -> WireBytes.withSchemaId(valid(id), 1_000_000 + random.nextInt(1_000_000));
      case "other-topics-schema" -> otherTopicsRecord;
      case "truncated-avro" -> WireBytes.truncated(valid(id), random);
      case "bytes-left-over" -> WireBytes.withTrailingBytes(valid(id), random);
      case "oversized-payload" -> WireBytes.garbage(random, maxPayloadBytes + 1 + random.nextInt(maxPayloadBytes));
      case "huge-text" -> events.of(topic, builder(id).setText("x".repeat(maxPayloadBytes + 1)).build());
      case "empty-text" -> events.of(topic, builder(id).setVector(null).setText("").build());
      case "text-only" -> events.of(topic, builder(id).setVector(null).setText("a digit, in words: seven").build());
      case "no-payload" -> events.of(topic, builder(id).setVector(null).build());
      case "nan-value" -> events.of(topic, withValue(id, Float.NaN));
      case "infinite-value" -> events.of(topic, withValue(id, Float.POSITIVE_INFINITY));
      case "negative-infinite-value" -> events.of(topic, withValue(id, Float.NEGATIVE_INFINITY));
      case "vector-too-short" -> events.of(topic, withWidth(id, image.vector().length - 1 - random.nextInt(8)));
      case "vector-too-long" -> events.of(topic, withWidth(id, image.vector().length + 1 + random.nextInt(8)));
      case "empty-vector" -> events.of(topic, withWidth(id, 0));
      case "tombstone" -> null;
      default -> throw new IllegalStateException("no bad input of kind " + kind);
    };
  }

  private byte[] valid(String id) {
    return events.of(topic, builder(id).build());
  }

  private InputEvent.Builder builder(String id) {
    return InputEvent.newBuilder(MnistTraffic.event(id, image, "reliability/bad-input"));
  }

  private InputEvent withValue(String id, float value) {
    float[] pixels = image.vector().clone();
    pixels[random.nextInt(pixels.length)] = value;
    return builder(id).setVector(AvroValues.boxed(pixels)).build();
  }

  private InputEvent withWidth(String id, int width) {
    return builder(id).setVector(AvroValues.boxed(Arrays.copyOf(image.vector(), width))).build();
  }
}
