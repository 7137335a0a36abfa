package io.streamdistill.teacher.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.teacher.model.TeacherException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DenseArchitectureTest {
  private static final DenseArchitecture MLP = new DenseArchitecture(10, DenseArchitecture.MLP, List.of(8, 4), 0, 0, 3);

  @Test
  void shouldReadItsOwnOptionsBack() {
    assertEquals(MLP, DenseArchitecture.fromOptions(MLP.toOptions(), 3, "teacher.json"));
  }

  @Test
  void shouldRefuseAnEmptyLayerWidthRatherThanDropIt() {
    for (String hidden : List.of("8,4,", "8,,4", ",8,4")) {
      Map<String, String> options = new HashMap<>(MLP.toOptions());
      options.put("hidden", hidden);
      TeacherException e = assertThrows(TeacherException.class,
          () -> DenseArchitecture.fromOptions(options, 3, "teacher.json"), hidden);
      assertTrue(e.getMessage().contains("the network's options are wrong"), e.getMessage());
    }
  }
}
