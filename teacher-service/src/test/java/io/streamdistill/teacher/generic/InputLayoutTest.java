package io.streamdistill.teacher.generic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import io.streamdistill.teacher.model.TeacherDescriptor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputLayoutTest {

  private static InputLayout layout(int width, Map<String, String> options) {
    return InputLayout.of(new TeacherDescriptor("t", "1", "onnx", List.of("a", "b"), TeacherDescriptor.VECTOR, width,
        0, Map.of(), Map.of(), options));
  }

  @Test
  void shouldPassAVectorAsItIsWithoutOptions() {
    InputLayout plain = layout(3, Map.of());
    assertTrue(plain.isPlain());
    assertEquals(new Shape(5, 3), plain.batchShape(5));
    float[] target = new float[7];
    plain.copy(new float[] {1, 2, 3}, target, 2);
    assertArrayEquals(new float[] {0, 0, 1, 2, 3, 0, 0}, target);
  }

  @Test
  void shouldShapeAnImageAndNormaliseEachChannelByItsOwnMeanAndSd() {
    // Two channels of 1x2 pixels: plane 0 is (x * 2 - 1) / 0.5, plane 1 is (x * 2 - 3) / 4.
    InputLayout image = layout(4, Map.of("inputShape", "2,1,2", "inputScale", "2", "inputMean", "1,3",
        "inputStd", "0.5,4"));
    assertFalse(image.isPlain());
    assertEquals(new Shape(3, 2, 1, 2), image.batchShape(3));
    float[] target = new float[4];
    image.copy(new float[] {0.5f, 1f, 0.5f, 2.5f}, target, 0);
    assertArrayEquals(new float[] {0f, 2f, -0.5f, 0.5f}, target, 1e-6f);

    InputLayout shared = layout(4, Map.of("inputShape", "2x1x2", "inputMean", "0.5", "inputStd", "0.25"));
    shared.copy(new float[] {0.5f, 1f, 0f, 0.75f}, target, 0);
    assertArrayEquals(new float[] {0f, 2f, -2f, 1f}, target, 1e-6f);
  }

  @Test
  void shouldLayAPixelsChannelsSideBySideForAModelThatTakesThemLast() {
    // RGB 1x2: planes R = (r0, r1), G = (g0, g1), B = (b0, b1) become r0 g0 b0 r1 g1 b1 (rows, cols, channels).
    InputLayout last = layout(6, Map.of("inputShape", "3,1,2", "inputChannelsLast", "true", "inputMean", "0,10,20"));
    assertEquals(new Shape(5, 1, 2, 3), last.batchShape(5));
    float[] target = new float[7];
    last.copy(new float[] {1, 2, 13, 14, 25, 26}, target, 1);
    assertArrayEquals(new float[] {0, 1, 3, 5, 2, 4, 6}, target, 1e-6f);
    assertEquals("true", last.options().get("inputChannelsLast"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> layout(4, Map.of("inputChannelsLast", "true")))
        .getMessage().contains("inputChannelsLast is for images"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> layout(6, Map.of("inputShape", "3,1,2",
        "inputChannelsLast", "yes"))).getMessage().contains("must be true or false, not yes"));
  }

  @Test
  void shouldRefuseOptionsThatDoNotFitNamingTheOption() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> layout(4, Map.of("inputShape", "3,2,2")))
        .getMessage().contains("inputShape 3,2,2 holds 12 values, but vectorWidth is 4"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> layout(4, Map.of("inputShape", "2,2")))
        .getMessage().contains("a width or channels,rows,cols"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> layout(4, Map.of("inputShape", "1,two,2")))
        .getMessage().contains("positive whole numbers"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> layout(12, Map.of("inputShape", "3,2,2", "inputMean", "0.1,0.2"))).getMessage()
        .contains("inputMean needs one value or one per channel (3)"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> layout(4, Map.of("inputStd", "0")))
        .getMessage().contains("inputStd must not hold 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> layout(4, Map.of("inputScale", "NaN")))
        .getMessage().contains("inputScale must be finite numbers"));
  }
}
