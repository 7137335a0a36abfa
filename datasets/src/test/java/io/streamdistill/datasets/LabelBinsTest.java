package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelBinsTest {
  private static ExampleSource labelled(String... labels) {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      examples.add(new Example("e" + i, "text " + i, null, labels[i]));
    }
    return ExampleSource.of("t", examples, List.of());
  }

  @Test
  void shouldCutAtTheValuesGivenWithEachCutStartingTheClassAboveIt() {
    LabelBins bins = LabelBins.of("100, 200", "price", labelled("1"));
    assertEquals(List.of("below 100", "100 to 200", "200 and above"), bins.classes());
    assertEquals("below 100", bins.classOf("99.9"));
    assertEquals("100 to 200", bins.classOf("100"));
    assertEquals("200 and above", bins.classOf("$1,250.00"), "an amount read as the file readers read it");
    assertNull(bins.classOf("n/a"), "no number, no label");
    assertNull(bins.classOf(null));
  }

  @Test
  void shouldCutACountAtTheLabelsQuantilesToThreeSignificantDigits() {
    String[] labels = new String[1_000];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = Double.toString(1_000 + 1.234 * i);
    }
    ExampleSource source = labelled(labels);
    LabelBins bins = LabelBins.of("4", "y", source);
    assertEquals(List.of("below 1310", "1310 to 1620", "1620 to 1930", "1930 and above"), bins.classes());
    ExampleSource binned = bins.apply(source);
    assertEquals(bins.classes(), binned.classes());
    int[] counts = new int[4];
    for (int i = 0; i < binned.size(); i++) {
      counts[bins.classes().indexOf(binned.label(i))]++;
      assertEquals(binned.label(i), binned.get(i).label());
      assertEquals(source.get(i).text(), binned.get(i).text(), "the payload as it was");
    }
    for (int count : counts) {
      assertTrue(count > 240 && count < 260, java.util.Arrays.toString(counts));
    }
  }

  @Test
  void shouldMergeCutsThatFallTogetherAndRefuseALabelOfOneValue() {
    String[] mostlyZero = new String[100];
    for (int i = 0; i < mostlyZero.length; i++) {
      mostlyZero[i] = i < 90 ? "0" : Integer.toString(i);
    }
    assertEquals(List.of("below 90", "90 and above"), LabelBins.of("5", "y", labelled(mostlyZero)).classes(),
        "every quantile at 0: the zeros, and the rest");
    String[] constant = new String[50];
    java.util.Arrays.fill(constant, "7");
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
        () -> LabelBins.of("3", "y", labelled(constant)));
    assertEquals("--label-bins: the label column 'y' holds one value, 7, nearly everywhere: nothing to tell apart",
        one.getMessage());
  }

  @Test
  void shouldSayWhatIsWrongWithASpec() {
    ExampleSource source = labelled("1", "2", "3");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelBins.of("1", "y", source)).getMessage()
        .equals("--label-bins 1: from 2 to 100 classes"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelBins.of("five", "y", source)).getMessage()
        .startsWith("--label-bins 'five': a number of classes (e.g. 5) or the values to cut the label at"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelBins.of("200,100", "y", source)).getMessage()
        .startsWith("--label-bins: the values to cut at must be finite numbers, ascending"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LabelBins.of("10,abc", "y", source)).getMessage()
        .equals("--label-bins: 'abc' is not a number"));
  }
}
