package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StudentWeightsTest {
  @Test
  void shouldRoundTripEveryParameterExactly() {
    StudentWeights weights = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 1, 0.1f);
    StudentWeights decoded = StudentWeights.decode(weights.encode());
    assertEquals(weights.tensors().keySet(), decoded.tensors().keySet());
    for (String name : weights.tensors().keySet()) {
      assertArrayEquals(weights.get(name).shape(), decoded.get(name).shape());
      assertArrayEquals(weights.get(name).values(), decoded.get(name).values());
    }
    decoded.requireFits(StudentFixtures.tinyMlp());
  }

  @Test
  void shouldRefuseTruncatedOrPaddedOrForeignBytes() {
    byte[] bytes = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 1, 0.1f).encode();
    var truncated = assertThrows(IllegalArgumentException.class,
        () -> StudentWeights.decode(Arrays.copyOf(bytes, bytes.length - 3)));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    var padded = assertThrows(IllegalArgumentException.class,
        () -> StudentWeights.decode(Arrays.copyOf(bytes, bytes.length + 1)));
    assertTrue(padded.getMessage().contains("after the last parameter"), padded.getMessage());
    var foreign = assertThrows(IllegalArgumentException.class, () -> StudentWeights.decode(new byte[] {1, 2, 3, 4, 5}));
    assertTrue(foreign.getMessage().contains("magic"), foreign.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StudentWeights.decode(new byte[0]));
  }

  @Test
  void shouldRefuseWeightsOfAnotherArchitecture() {
    StudentWeights weights = StudentFixtures.randomWeights(StudentFixtures.tinyMlp(), 1, 0.1f);
    var e = assertThrows(IllegalArgumentException.class,
        () -> weights.requireFits(new MlpSpec(StudentFixtures.DIGITS, 784, java.util.List.of(32))));
    assertTrue(e.getMessage().contains("dense0.weight"), e.getMessage());
  }
}
