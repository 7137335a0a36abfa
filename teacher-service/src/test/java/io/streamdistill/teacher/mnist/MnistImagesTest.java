package io.streamdistill.teacher.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SkipReport;
import io.streamdistill.teacher.model.TeacherException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MnistImagesTest {

  @Test
  void shouldHoldThePixelsExactly() {
    float[] image = image(3, 4, 200);
    image[0] = 1f / 255f;
    MnistImages images = MnistImages.of(source(image, "7"), 0);

    assertArrayEquals(image, images.vector(0));
    assertEquals(7, images.label(0));
  }

  @Test
  void shouldRefuseImagesThatAreNotMnist() {
    assertThrows(TeacherException.class, () -> MnistImages.of(source(new float[10], "1"), 0));
    assertThrows(TeacherException.class, () -> MnistImages.of(source(image(1, 1, 255), "x"), 0));
  }

  private static float[] image(int x, int y, int value) {
    float[] image = new float[MnistImages.PIXELS];
    image[y * 28 + x] = value / 255f;
    return image;
  }

  private static ExampleSource source(float[] vector, String label) {
    return new ExampleSource() {
      @Override
      public String name() {
        return "one";
      }

      @Override
      public int size() {
        return 1;
      }

      @Override
      public Example get(int index) {
        return new Example("one-0", null, vector.clone(), label);
      }

      @Override
      public String label(int index) {
        return label;
      }

      @Override
      public List<String> classes() {
        return MnistImages.CLASSES;
      }

      @Override
      public SkipReport skipped() {
        return new SkipReport();
      }
    };
  }
}
