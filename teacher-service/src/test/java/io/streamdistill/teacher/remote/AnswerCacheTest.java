package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherInput;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A remote teacher's recent answers: found again by what the input says, the least recently used dropped. */
class AnswerCacheTest {
  private static Prediction answer(float logit) {
    return new Prediction(new float[] {logit, -logit}, null);
  }

  @Test
  void shouldKeepTheMostRecentlyUsedAnswersUpToItsCapacity() {
    AnswerCache cache = new AnswerCache(2);
    Prediction a = answer(1);
    cache.put(TeacherInput.ofText("a"), a);
    cache.put(TeacherInput.ofText("b"), answer(2));
    assertSame(a, cache.get(TeacherInput.ofText("a")), "a used last now");
    cache.put(TeacherInput.ofText("c"), answer(3));
    assertNull(cache.get(TeacherInput.ofText("b")), "b, the least recently used, dropped");
    assertSame(a, cache.get(TeacherInput.ofText("a")));
    assertEquals(2, cache.hits());
    assertEquals(1, cache.misses());

    AnswerCache none = new AnswerCache(0);
    none.put(TeacherInput.ofText("a"), a);
    assertNull(none.get(TeacherInput.ofText("a")));
    assertEquals(0, none.misses(), "a cache turned off counts nothing");
  }

  @Test
  void shouldKeyAnInputByWhatItSaysWhateverTheOrderOfItsFields() {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("age", 39.0);
    record.put("job", "clerk");
    Map<String, Object> reordered = new HashMap<>();
    reordered.put("job", "clerk");
    reordered.put("age", 39.0);
    assertEquals(AnswerCache.key(TeacherInput.ofFields(record)), AnswerCache.key(TeacherInput.ofFields(reordered)));
    Map<String, Object> asText = new LinkedHashMap<>(record);
    asText.put("age", "39.0");
    assertNotEquals(AnswerCache.key(TeacherInput.ofFields(record)), AnswerCache.key(TeacherInput.ofFields(asText)),
        "a number and a string of it are other inputs");
    assertNotEquals(AnswerCache.key(TeacherInput.ofVector(new float[] {0f})),
        AnswerCache.key(TeacherInput.ofVector(new float[] {-0f})), "the vector's bits");
    assertEquals(AnswerCache.key(TeacherInput.ofVector(new float[] {0.5f, 1f})),
        AnswerCache.key(TeacherInput.ofVector(new float[] {0.5f, 1f})));
    assertNotEquals(AnswerCache.key(TeacherInput.ofText("1")), AnswerCache.key(TeacherInput.ofFields(Map.of())));
  }

  @Test
  void shouldHoldFewerAnswersThanAskedWhenTheyAreLarge() {
    assertEquals(100_000, AnswerCache.capacity(100_000, 2));
    assertEquals((int) (AnswerCache.MAX_BYTES / (160 + 4 * 1384)), AnswerCache.capacity(100_000, 1000 + 384),
        "a thousand classes and an embedding: 64 MiB at most");
  }
}
