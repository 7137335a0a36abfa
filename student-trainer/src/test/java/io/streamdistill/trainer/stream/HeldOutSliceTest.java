package io.streamdistill.trainer.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void shouldRefuseAShareThatLeavesTooLittleToTrainOn() {
    assertThrows(IllegalArgumentException.class, () -> new HeldOutSlice(60));
  }
}
