package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamdistill.datasets.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The teacher-alone baseline of a demo run and its notes. */
class TeacherBaselineTest {
  @Test
  void shouldNoteATeacherNoBetterThanTheMostCommonClassOfTheRequests() {
    // 80 requests of class "1", 20 of class "0".
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      examples.add(new Example("e" + i, null, new float[] {i}, i < 80 ? "1" : "0"));
    }
    int[] asked = IntStream.range(0, 100).toArray();
    boolean[] right = new boolean[100];
    for (int i = 0; i < 80; i++) {
      right[i] = true; // always "1": right on 80%, as the majority class is
    }
    assertEquals("Note: the teacher alone is right on 80.0% of the requests, no better than always answering '1'"
        + " (80.0% of them): a student learns little from it; check --label-column and what the examples carry.",
        TeacherBaseline.uselessTeacherNote(asked, examples, right));
    right[85] = true; // one more right than the majority class: a teacher worth distilling
    assertNull(TeacherBaseline.uselessTeacherNote(asked, examples, right));
    assertNull(TeacherBaseline.uselessTeacherNote(new int[] {0, 1, 2}, examples, right),
        "too few requests to judge by");
    List<Example> unlabelled = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      unlabelled.add(new Example("u" + i, null, new float[] {i}, null));
    }
    assertNull(TeacherBaseline.uselessTeacherNote(asked, unlabelled, new boolean[100]),
        "requests without labels judge nothing");
  }
}
