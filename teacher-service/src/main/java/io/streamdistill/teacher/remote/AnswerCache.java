package io.streamdistill.teacher.remote;

import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherInput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A remote teacher's recent answers by input, so that an input seen again (a subject line, a query, a record that
 * traffic repeats; every event of a replay's second pass) is not paid for twice: for an LLM each call is seconds of
 * GPU time or a bill. At most {@code capacity} answers, the least recently used dropped first; each keyed by the
 * SHA-256 of the input (its text, its fields in name order, or its vector's bits), so the memory an entry holds is
 * its answer and 32 bytes whatever the input's size, and all of them at most {@link #MAX_BYTES}. A server's model is
 * taken as deterministic for an input (an LLM asked at temperature 0); the answers carry the version loaded, as every
 * remote answer does. Thread-safe.
 */
final class AnswerCache {
  private final int capacity;
  private final Map<ByteBuffer, Prediction> answers;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** The most memory the answers of one teacher may take, whatever {@code cacheEntries} says. */
  static final long MAX_BYTES = 64L << 20;

  /**
   * How many answers of {@code floats} numbers each (logits and embedding) to keep: {@code entries}, or fewer when
   * that many would take more than {@link #MAX_BYTES} (about 160 bytes an entry besides its numbers).
   */
  static int capacity(int entries, int floats) {
    return (int) Math.min(entries, MAX_BYTES / (160L + 4L * floats));
  }

  /** @param capacity answers kept at most; 0 keeps none */
  AnswerCache(int capacity) {
    this.capacity = capacity;
    this.answers = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Prediction> eldest) {
        return size() > AnswerCache.this.capacity;
      }
    };
  }

  /**
   * The answers for {@code batch}: those of inputs answered lately from here, the others from {@code ask}, each asked
   * once however often the batch holds it, and kept.
   *
   * @param ask the server's answers for a list of inputs, in their order (its exceptions pass through)
   */
  List<Prediction> answer(List<TeacherInput> batch, Function<List<TeacherInput>, List<Prediction>> ask) {
    if (capacity == 0 || batch.isEmpty()) {
      return ask.apply(batch);
    }
    Prediction[] out = new Prediction[batch.size()];
    // Each input not answered lately, by its key (hashed once), with the indices of the batch that hold it.
    Map<ByteBuffer, List<Integer>> unseen = new LinkedHashMap<>();
    List<TeacherInput> asking = new ArrayList<>();
    for (int i = 0; i < out.length; i++) {
      ByteBuffer key = key(batch.get(i));
      out[i] = get(key);
      if (out[i] == null) {
        int at = i;
        unseen.computeIfAbsent(key, k -> {
          asking.add(batch.get(at));
          return new ArrayList<>();
        }).add(i);
      }
    }
    if (!asking.isEmpty()) {
      List<Prediction> asked = ask.apply(asking);
      int k = 0;
      for (Map.Entry<ByteBuffer, List<Integer>> holding : unseen.entrySet()) {
        for (int i : holding.getValue()) {
          out[i] = asked.get(k);
        }
        put(holding.getKey(), asked.get(k));
        k++;
      }
    }
    return List.of(out);
  }

  /** The answer kept for {@code input}, or null (counted as a hit or a miss). */
  Prediction get(TeacherInput input) {
    return capacity == 0 ? null : get(key(input));
  }

  void put(TeacherInput input, Prediction answer) {
    if (capacity > 0) {
      put(key(input), answer);
    }
  }

  private Prediction get(ByteBuffer key) {
    Prediction answer;
    synchronized (answers) {
      answer = answers.get(key);
    }
    (answer == null ? misses : hits).increment();
    return answer;
  }

  private void put(ByteBuffer key, Prediction answer) {
    synchronized (answers) {
      answers.put(key, answer);
    }
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  /** The SHA-256 of what the input says: its text, its fields in name order, or its vector's bits. */
  static ByteBuffer key(TeacherInput input) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    if (input.text() != null) {
      sha.update((byte) 't');
      sha.update(input.text().getBytes(StandardCharsets.UTF_8));
    }
    if (input.vector() != null) {
      sha.update((byte) 'v');
      ByteBuffer bits = ByteBuffer.allocate(input.vector().length * Float.BYTES);
      bits.asFloatBuffer().put(input.vector());
      sha.update(bits);
    }
    if (input.fields() != null) {
      sha.update((byte) 'f');
      for (Map.Entry<String, Object> field : new TreeMap<>(input.fields()).entrySet()) {
        Object value = field.getValue();
        // Name, type and value, each ended, so that {a: "1", b: null} and {a: 1.0} differ.
        sha.update((field.getKey() + '\0' + (value == null ? "n" : value instanceof String ? "s" + value
            : "d" + value) + '\0').getBytes(StandardCharsets.UTF_8));
      }
    }
    return ByteBuffer.wrap(sha.digest());
  }
}
