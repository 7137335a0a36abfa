package io.streamdistill.teacher.text;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Fits a text teacher's embedding into a time limit. The encoder reads every training and test text
 * once, which for long texts is the whole of a text teacher's training time (about 50 mails of 256
 * tokens a second on 2 cores, so 60,000 of them take 20 minutes). Before embedding, a probe of
 * {@value #PROBE} texts drawn at random from both splits measures the pace; when all the texts would not
 * be embedded within the limit at that pace, each split keeps the same random share of its texts that
 * would (never fewer than {@value #MIN_KEPT} while it has them), and the teacher learns from those.
 * Stateless.
 */
final class EmbeddingBudget {
  /** Texts embedded to measure the pace (the first {@value #WARM_UP} of them warm the encoder up, untimed). */
  static final int PROBE = 48;
  static final int WARM_UP = 8;
  /** A split keeps at least this many texts, when it has them. */
  static final int MIN_KEPT = 200;
  /** The share of the limit planned for embedding: the head's training and the writing take the rest. */
  static final double PLANNED_SHARE = 0.85;

  private EmbeddingBudget() {}

  /**
   * The splits to embed: all of them when they fit in {@code maxSeconds} at the probe's pace, else the
   * same random share of each, in their order.
   *
   * @param maxSeconds the time limit; 0 for none (the splits are returned as they are, with no probe)
   */
  static List<LabelledTexts> fit(OnnxTextModel model, List<LabelledTexts> splits, int batchSize, long maxSeconds,
      long seed, PrintStream out) {
    int total = splits.stream().mapToInt(s -> s.ids().size()).sum();
    if (maxSeconds <= 0 || total <= PROBE) {
      return splits;
    }
    Random random = new Random(seed);
    List<String> probe = new ArrayList<>(PROBE);
    for (int i = 0; i < PROBE; i++) {
      int at = random.nextInt(total);
      for (LabelledTexts split : splits) {
        if (at < split.ids().size()) {
          probe.add(split.texts().get(at));
          break;
        }
        at -= split.ids().size();
      }
    }
    double secondsPerText;
    try (OnnxTextModel.Session session = model.newSession()) {
      session.embed(probe.subList(0, WARM_UP));
      long started = System.nanoTime();
      for (int from = WARM_UP; from < PROBE; from += batchSize) {
        session.embed(probe.subList(from, Math.min(PROBE, from + batchSize)));
      }
      secondsPerText = (System.nanoTime() - started) / 1e9 / (PROBE - WARM_UP);
    }
    double share = share(total, secondsPerText, maxSeconds);
    if (share >= 1) {
      return splits;
    }
    List<LabelledTexts> kept = new ArrayList<>(splits.size());
    for (LabelledTexts split : splits) {
      kept.add(split.sample(share, MIN_KEPT, random));
    }
    out.printf(Locale.ROOT, "Embedding all %,d texts would take about %.0f s at %.0f texts/s, over the time limit of"
        + " %d s: the teacher learns from and is tested on a random share of them, %s%n", total,
        total * secondsPerText, 1 / secondsPerText, maxSeconds, describe(splits, kept));
    return kept;
  }

  /** The share of the texts whose embedding fits in the planned part of the limit; 1 when all do. */
  static double share(int texts, double secondsPerText, long maxSeconds) {
    double planned = maxSeconds * PLANNED_SHARE;
    double needed = texts * secondsPerText;
    return needed <= planned ? 1 : planned / needed;
  }

  private static String describe(List<LabelledTexts> splits, List<LabelledTexts> kept) {
    List<String> parts = new ArrayList<>();
    String[] names = {"training", "test"};
    for (int s = 0; s < splits.size(); s++) {
      parts.add(String.format(Locale.ROOT, "%,d of %,d %s texts", kept.get(s).ids().size(), splits.get(s).ids().size(),
          s < names.length ? names[s] : "split " + s));
    }
    return String.join(", ", parts);
  }
}
