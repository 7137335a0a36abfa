package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.schemas.EventAttributes;
import io.streamdistill.schemas.InputEvent;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeldOutSliceTest {
  @Test
  void shouldHoldOutTheConfiguredShareDeterministically() {
    HeldOutSlice slice = new HeldOutSlice(10);
    int held = 0;
    for (int i = 0; i < 100_000; i++) {
      String id = "mnist/train/" + i;
      boolean out = slice.isHeldOut(id);
      assertEquals(out, new HeldOutSlice(10).isHeldOut(id), "the same event, the same answer");
      held += out ? 1 : 0;
    }
    assertTrue(held > 9_500 && held < 10_500, "held out " + held + " of 100,000");
  }

  @Test
  void shouldDrawEveryPassOfAnExampleAsTheExampleIsDrawn() {
    HeldOutSlice slice = new HeldOutSlice(10);
    int differ = 0;
    for (int i = 0; i < 2_000; i++) {
      String example = "shapes:circle/" + i + ".png";
      InputEvent first = event(example, Map.of());
      InputEvent again = event(example + "#2", Map.of("pass", "2", EventAttributes.EXAMPLE, example));
      assertEquals(slice.isHeldOut(first), slice.isHeldOut(again), "pass 2 of " + example);
      differ += slice.isHeldOut(example) != slice.isHeldOut(example + "#2") ? 1 : 0;
    }
    assertTrue(differ > 100, "by the event ids alone the passes would disagree (" + differ + " of 2,000)");
  }

  private static InputEvent event(String id, Map<String, String> attributes) {
    return InputEvent.newBuilder().setId(id).setTimestamp(Instant.EPOCH).setSource("test").setText("x")
        .setUncertain(false).setAttributes(attributes).build();
  }

  @Test
  void shouldRefuseAShareThatLeavesTooLittleToTrainOn() {
    assertThrows(IllegalArgumentException.class, () -> new HeldOutSlice(60));
  }
}
