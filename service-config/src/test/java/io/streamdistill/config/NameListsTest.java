package io.streamdistill.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NameListsTest {
  @Test
  void shouldShowShortListsWhole() {
    assertEquals("[ham, spam]", NameLists.bracketed(List.of("ham", "spam")));
    assertEquals("", NameLists.abbreviate(List.of(), 3));
    assertEquals("a, b, c", NameLists.abbreviate(List.of("a", "b", "c"), 3));
  }

  @Test
  void shouldCutLongListsAndSayHowManyMore() {
    List<String> intents = IntStream.range(0, 150).mapToObj(i -> "intent_" + i).toList();
    String shown = NameLists.bracketed(intents);
    assertEquals("[intent_0, intent_1, intent_2, intent_3, intent_4, intent_5, intent_6, intent_7, intent_8, intent_9,"
        + " intent_10, intent_11, ... (138 more)]", shown);
    assertEquals("a, b, ... (2 more)", NameLists.abbreviate(List.of("a", "b", "c", "d"), 2));
    assertThrows(IllegalArgumentException.class, () -> NameLists.abbreviate(List.of("a"), 0));
  }
}
