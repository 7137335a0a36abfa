package io.streamdistill.trainer.stream;

import io.streamdistill.schemas.DeadLetter;
import java.util.ArrayList;
import java.util.List;

/**
 * Bad soft labels waiting to be written to the dead-letter topic, bounded: they are written with the
 * next version, or on their own (with the offsets they cover, {@link VersionPublisher#flush}) as soon
 * as {@link #due} says so, whichever comes first. Without the bound a gate that keeps refusing
 * candidates would keep every bad record (with its original bytes) in memory, and the dead-letter
 * topic would show nothing. Owned by the trainer's thread; not thread-safe.
 */
final class DeadLetterBuffer {
  private final DeadLetterLimits limits;
  private final List<DeadLetter> letters = new ArrayList<>();
  private long bytes;
  private long oldestAtNanos;

  DeadLetterBuffer(DeadLetterLimits limits) {
    this.limits = limits;
  }

  void add(DeadLetter letter, long nowNanos) {
    if (letters.isEmpty()) {
      oldestAtNanos = nowNanos;
    }
    letters.add(letter);
    bytes += approximateBytes(letter);
  }

  /** Whether the letters must go out now: too many, too large, or the oldest waited long enough. */
  boolean due(long nowNanos) {
    return !letters.isEmpty() && (letters.size() >= limits.maxRecords() || bytes >= limits.maxBytes()
        || nowNanos - oldestAtNanos >= limits.maxWait().toNanos());
  }

  /** The letters in the order they were read (a view: valid until {@link #clear}). */
  List<DeadLetter> letters() {
    return letters;
  }

  int size() {
    return letters.size();
  }

  boolean isEmpty() {
    return letters.isEmpty();
  }

  /** After the letters were committed. */
  void clear() {
    letters.clear();
    bytes = 0;
  }

  private static long approximateBytes(DeadLetter letter) {
    long size = 128L + letter.getReason().length() + letter.getTopic().length();
    size += letter.getKey() == null ? 0 : letter.getKey().remaining();
    size += letter.getValue() == null ? 0 : letter.getValue().remaining();
    return size;
  }
}
