package io.streamdistill.producers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScenarioTest {
  private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
  private final ListSource digits = new ListSource(DIGITS, 100);

  @Test
  void shouldSendNoOmittedClassBeforeTheSwitchPointAndAllOfItAfter() {
    Scenario.OmitClass omit = new Scenario.OmitClass("3", 0.5);
    int[] order = omit.order(digits, digits.size(), true, new Random(7));
    long switchPosition = omit.switchPosition(order.length);
    assertEquals(500, switchPosition);
    for (int i = 0; i < switchPosition; i++) {
      assertNotEquals("3", digits.label(order[i]), "a 3 at position " + i);
    }
    long threesAfter = Arrays.stream(order).skip(switchPosition).filter(i -> "3".equals(digits.label(i))).count();
    assertEquals(100, threesAfter, "every 3 comes after the switch");
    assertEquals(digits.size(), Arrays.stream(order).distinct().count(), "each example once");
  }

  @Test
  void shouldRefuseToOmitAClassTheSourceDoesNotHave() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Scenario.OmitClass("cat", 0.5).order(digits, 10, false, new Random(1)));
    assertTrue(e.getMessage().contains("'cat'"), e.getMessage());
  }

  @Test
  void shouldShiftTheClassMixFromFirstToSecondHalfOfClasses() {
    ListSource mail = new ListSource(List.of("ham", "spam"), 500);
    int[] order = new Scenario.Shift(0.1).order(mail, 600, false, new Random(3));
    long spamEarly = Arrays.stream(order, 0, 150).filter(i -> "spam".equals(mail.label(i))).count();
    long spamLate = Arrays.stream(order, 450, 600).filter(i -> "spam".equals(mail.label(i))).count();
    assertTrue(spamEarly < 40, "early spam share too high: " + spamEarly + "/150");
    assertTrue(spamLate > 110, "late spam share too low: " + spamLate + "/150");
    assertEquals(600, Arrays.stream(order).distinct().count(), "drawn without replacement");
  }

  @Test
  void shouldGiveTheSameStreamForTheSameSeed() {
    Scenario steady = new Scenario.Steady();
    assertArrayEquals(steady.order(digits, 50, true, new Random(9)), steady.order(digits, 50, true, new Random(9)));
    assertNotEquals(Arrays.toString(steady.order(digits, 50, true, new Random(9))),
        Arrays.toString(steady.order(digits, 50, true, new Random(10))));
    assertArrayEquals(new int[] {0, 1, 2}, steady.order(digits, 3, false, new Random(1)));
  }

  @Test
  void shouldBurstOnlyInsideTheWindow() {
    Scenario.Burst burst = new Scenario.Burst(0.4, 0.2, 10);
    assertEquals(1.0, burst.rateFactor(39, 100));
    assertEquals(10.0, burst.rateFactor(40, 100));
    assertEquals(10.0, burst.rateFactor(59, 100));
    assertEquals(1.0, burst.rateFactor(60, 100));
  }

  @Test
  void shouldNameTheKnownScenariosForAnUnknownOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Scenario.named("tsunami", null, 0.5, 10));
    assertTrue(e.getMessage().contains("steady, shift, omit-class, burst"), e.getMessage());
  }
}
