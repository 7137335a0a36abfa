package io.streamdistill.producers;

import io.streamdistill.datasets.ExampleSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Shapes of traffic that real streams have. A scenario decides in which order the examples of a
 * source are sent (and how often each class appears when) and how fast, relative to the base rate.
 *
 * <p>Orders are built from a seeded {@link Random}: the same seed gives the same stream.
 */
public sealed interface Scenario {

  /** Texts for --help: name and what it does. */
  Map<String, String> DESCRIPTIONS = descriptions();

  /** The scenario's name on the command line. */
  String name();

  /**
   * The indices of the examples to send, {@code count} of them; {@code shuffle} asks for a random
   * order where the scenario would otherwise keep the source's.
   */
  int[] order(ExampleSource source, int count, boolean shuffle, Random random);

  /** Factor on the base rate for the event at {@code position} of {@code total}; 1 means the base rate. */
  default double rateFactor(long position, long total) {
    return 1.0;
  }

  /** The source's order (or a random order with --shuffle), at a steady rate. */
  record Steady() implements Scenario {
    @Override
    public String name() {
      return "steady";
    }

    @Override
    public int[] order(ExampleSource source, int count, boolean shuffle, Random random) {
      int[] all = identity(source.size());
      if (shuffle) {
        shuffle(all, random);
      }
      return prefix(all, count);
    }
  }

  /**
   * The class mix drifts over the stream: at the start the first half of the classes dominates
   * (each of them {@code 1/floor} times as frequent as each of the others), at the end the second
   * half does, with a linear drift in between. Examples are drawn per class without replacement.
   */
  record Shift(double floor) implements Scenario {
    public Shift {
      if (!(floor > 0 && floor <= 1)) {
        throw new IllegalArgumentException("shift floor must be in (0, 1], not " + floor);
      }
    }

    @Override
    public String name() {
      return "shift";
    }

    @Override
    public int[] order(ExampleSource source, int count, boolean shuffle, Random random) {
      Map<String, List<Integer>> pools = poolsByLabel(source, random);
      List<String> classes = new ArrayList<>(pools.keySet());
      Collections.sort(classes);
      int half = (classes.size() + 1) / 2;
      Map<String, Integer> next = new HashMap<>();
      int[] order = new int[count];
      for (int i = 0; i < count; i++) {
        double t = count == 1 ? 0 : (double) i / (count - 1);
        double[] weights = new double[classes.size()];
        double sum = 0;
        for (int c = 0; c < classes.size(); c++) {
          List<Integer> pool = pools.get(classes.get(c));
          boolean early = c < half;
          double w = early ? (1 - t) + t * floor : (1 - t) * floor + t;
          weights[c] = next.getOrDefault(classes.get(c), 0) < pool.size() ? w : 0;
          sum += weights[c];
        }
        if (sum == 0) { // every pool used up: start them over (only when count > size)
          next.clear();
          i--;
          continue;
        }
        double pick = random.nextDouble() * sum;
        int c = 0;
        while (c < weights.length - 1 && (pick -= weights[c]) >= 0) {
          c++;
        }
        while (weights[c] == 0) { // rounding at the very end of the range
          c--;
        }
        String label = classes.get(c);
        int used = next.getOrDefault(label, 0);
        order[i] = pools.get(label).get(used);
        next.put(label, used + 1);
      }
      return order;
    }
  }

  /**
   * One class is absent from the first part of the stream and appears from the switch point on,
   * as the digit 3 in Hinton et al.'s "omitted 3" experiment. Before the switch point the other
   * classes come in random order; from it on, everything that is left, the omitted class included.
   */
  record OmitClass(String omitted, double switchAt) implements Scenario {
    public OmitClass {
      if (omitted == null || omitted.isEmpty()) {
        throw new IllegalArgumentException("omit-class needs the class to omit (--omit-class)");
      }
      if (!(switchAt >= 0 && switchAt <= 1)) {
        throw new IllegalArgumentException("--switch-at must be in [0, 1], not " + switchAt);
      }
    }

    @Override
    public String name() {
      return "omit-class";
    }

    @Override
    public int[] order(ExampleSource source, int count, boolean shuffle, Random random) {
      if (!source.classes().contains(omitted)) {
        throw new IllegalArgumentException("class '" + omitted + "' to omit is not a class of " + source.name()
            + " (its classes: " + source.classes() + ")");
      }
      List<Integer> others = new ArrayList<>();
      List<Integer> omittedOnes = new ArrayList<>();
      for (int i = 0; i < source.size(); i++) {
        (omitted.equals(source.label(i)) ? omittedOnes : others).add(i);
      }
      Collections.shuffle(others, random);
      int before = Math.min((int) Math.round(switchAt * count), others.size());
      List<Integer> rest = new ArrayList<>(others.subList(before, others.size()));
      rest.addAll(omittedOnes);
      Collections.shuffle(rest, random);
      int[] order = new int[count];
      for (int i = 0; i < count; i++) {
        order[i] = i < before ? others.get(i) : rest.get((i - before) % rest.size());
      }
      return order;
    }

    /** The position of the first event that may be of the omitted class. */
    public long switchPosition(long count) {
      return Math.round(switchAt * count);
    }
  }

  /** A burst: for a window of the stream the rate is multiplied by {@code factor}. */
  record Burst(double startAt, double length, double factor) implements Scenario {
    public Burst {
      if (!(startAt >= 0 && startAt < 1) || !(length > 0 && length <= 1) || !(factor > 0)) {
        throw new IllegalArgumentException("burst needs 0 <= start < 1, 0 < length <= 1 and factor > 0");
      }
    }

    @Override
    public String name() {
      return "burst";
    }

    @Override
    public int[] order(ExampleSource source, int count, boolean shuffle, Random random) {
      return new Steady().order(source, count, shuffle, random);
    }

    @Override
    public double rateFactor(long position, long total) {
      // Whole positions, so that 0.4 + 0.2 of 100 ends at 60, not at 60.000000000000001.
      long start = Math.round(startAt * total);
      long end = Math.round((startAt + length) * total);
      return position >= start && position < end ? factor : 1.0;
    }
  }

  /** Looks a scenario up by its command-line name. */
  static Scenario named(String name, String omitClass, double switchAt, double burstFactor) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "steady" -> new Steady();
      case "shift" -> new Shift(0.1);
      case "omit-class" -> new OmitClass(omitClass, switchAt);
      case "burst" -> new Burst(0.4, 0.2, burstFactor);
      default -> throw new IllegalArgumentException(
          "unknown scenario '" + name + "'; known: " + String.join(", ", DESCRIPTIONS.keySet()));
    };
  }

  private static Map<String, String> descriptions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("steady", "the source's order (random with --shuffle) at a steady rate");
    d.put("shift", "the class mix drifts: the first half of the classes dominates at the start, the second half"
        + " at the end (ham-heavy to spam-heavy for mail; digits 0-4 to 5-9 for MNIST)");
    d.put("omit-class", "no example of --omit-class before --switch-at (a share of the stream), then every class"
        + " (Hinton et al.'s 'omitted 3')");
    d.put("burst", "the rate is multiplied by --burst-factor for 20% of the stream, starting at 40%");
    return Collections.unmodifiableMap(d);
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  /** The first {@code count} of {@code all}, repeating it when count exceeds its length. */
  private static int[] prefix(int[] all, int count) {
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = all[i % all.length];
    }
    return order;
  }

  private static Map<String, List<Integer>> poolsByLabel(ExampleSource source, Random random) {
    Map<String, List<Integer>> pools = new LinkedHashMap<>();
    for (int i = 0; i < source.size(); i++) {
      String label = source.label(i);
      if (label == null) {
        throw new IllegalArgumentException("the shift scenario needs labels, and example " + i + " of "
            + source.name() + " has none");
      }
      pools.computeIfAbsent(label, l -> new ArrayList<>()).add(i);
    }
    pools.values().forEach(pool -> Collections.shuffle(pool, random));
    return pools;
  }
}
