package io.streamdistill.trainer.model;

import java.util.List;
import java.util.Locale;

/**
 * How the soft term's weight α moves from the teacher towards ground truth as ground-truth labels
 * accumulate. Immutable; the learner keeps the counts in a {@link Tracker}.
 *
 * <ul>
 *   <li>{@code none}: α stays where it was set.
 *   <li>{@code labelled:N:END}: α moves linearly from its start to END over the first N samples that
 *       carry ground truth: a schedule.
 *   <li>{@code teacher-error:END}: α = END + (start − END)·k, where k is the teacher's accuracy on the
 *       last {@value #WINDOW} labelled samples, rescaled so that chance is 0 and perfect is 1: the
 *       more the teacher is measured wrong, the more the student listens to ground truth. Until
 *       {@value #MIN_LABELLED} labelled samples are seen, α stays at its start.
 * </ul>
 *
 * <p>How the faded α is applied ({@link Mix}, a last {@code :weight} or {@code :target} in the
 * option): {@code weight} moves the loss's weights (α on the soft term, 1 − α on the hard one);
 * {@code target} (the default) keeps them and moves the soft target of labelled samples towards their
 * ground truth by {@code 1 − α/start}. Moving the weights changes the size of the gradients mid-run
 * while Adam's second moment remembers the old size (its steps shrink or grow for about a thousand
 * steps); moving the target keeps the loss's scale.
 */
public record AlphaFade(Kind kind, float end, long over, Mix mix) {
  public static final int WINDOW = 1_000;
  public static final int MIN_LABELLED = 100;
  public static final AlphaFade NONE = new AlphaFade(Kind.NONE, 0f, 0, Mix.TARGET);

  public enum Kind { NONE, LABELLED, TEACHER_ERROR }

  /** What the fade moves: the loss's weights, or the soft target of labelled samples. */
  public enum Mix { WEIGHT, TARGET }

  public AlphaFade(Kind kind, float end, long over) {
    this(kind, end, over, Mix.TARGET);
  }

  public AlphaFade {
    if (mix == null) {
      throw new IllegalArgumentException("a fade needs what it moves (weight or target)");
    }
    if (kind != Kind.NONE && !(end >= 0 && end <= 1)) {
      throw new IllegalArgumentException("the faded alpha must be in [0, 1], got " + end);
    }
    if (kind == Kind.LABELLED && over < 1) {
      throw new IllegalArgumentException("alpha fade needs a positive number of labelled samples, got " + over);
    }
  }

  /**
   * Parses {@code none}, {@code labelled:N:END} or {@code teacher-error:END}, each optionally
   * followed by {@code :weight} or {@code :target}.
   */
  public static AlphaFade parse(String text) {
    List<String> parts = List.of(text.trim().toLowerCase(Locale.ROOT).split(":"));
    String last = parts.get(parts.size() - 1);
    if (parts.size() > 1 && (last.equals("weight") || last.equals("target"))) {
      AlphaFade fade = parse(String.join(":", parts.subList(0, parts.size() - 1)));
      return new AlphaFade(fade.kind(), fade.end(), fade.over(), Mix.valueOf(last.toUpperCase(Locale.ROOT)));
    }
    try {
      switch (parts.get(0)) {
        case "none" -> {
          if (parts.size() == 1) {
            return NONE;
          }
        }
        case "labelled", "labeled" -> {
          if (parts.size() == 3) {
            return new AlphaFade(Kind.LABELLED, Float.parseFloat(parts.get(2)), Long.parseLong(parts.get(1)));
          }
        }
        case "teacher-error" -> {
          if (parts.size() == 2) {
            return new AlphaFade(Kind.TEACHER_ERROR, Float.parseFloat(parts.get(1)), 0);
          }
        }
        default -> { }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("alpha fade '" + text + "': " + e.getMessage());
    }
    throw new IllegalArgumentException("alpha fade '" + text
        + "' is not one of none, labelled:N:END, teacher-error:END (each with an optional :weight or :target)");
  }

  @Override
  public String toString() {
    String mixed = mix == Mix.TARGET ? "" : ":" + mix.name().toLowerCase(Locale.ROOT);
    return switch (kind) {
      case NONE -> "none";
      case LABELLED -> "labelled:" + over + ":" + end + mixed;
      case TEACHER_ERROR -> "teacher-error:" + end + mixed;
    };
  }

  /** Counts what the fade depends on and gives the current α. Not thread-safe: the learner's. */
  public static final class Tracker {
    private final AlphaFade fade;
    private final float start;
    private final int classes;
    private final boolean[] recent = new boolean[WINDOW];
    private long labelled;
    private int teacherRight;

    public Tracker(AlphaFade fade, float start, int classes) {
      this.fade = fade;
      this.start = start;
      this.classes = classes;
    }

    public void observe(TrainingSample sample) {
      if (sample.label() < 0) {
        return;
      }
      int slot = (int) (labelled % WINDOW);
      if (labelled >= WINDOW && recent[slot]) {
        teacherRight--;
      }
      recent[slot] = sample.teacherClass() == sample.label();
      if (recent[slot]) {
        teacherRight++;
      }
      labelled++;
    }

    /** The measured accuracy of the teacher on the recent labelled samples, NaN before any. */
    public double teacherAccuracy() {
      long n = Math.min(labelled, WINDOW);
      return n == 0 ? Double.NaN : (double) teacherRight / n;
    }

    public float alpha() {
      return switch (fade.kind()) {
        case NONE -> start;
        case LABELLED -> start + (fade.end() - start) * (float) Math.min(1.0, (double) labelled / fade.over());
        case TEACHER_ERROR -> {
          if (labelled < MIN_LABELLED) {
            yield start;
          }
          double chance = 1.0 / classes;
          double trust = Math.max(0, Math.min(1, (teacherAccuracy() - chance) / (1 - chance)));
          yield (float) (fade.end() + (start - fade.end()) * trust);
        }
      };
    }
  }
}
