package io.streamdistill.trainer;

import io.streamdistill.trainer.model.AlphaFade;
import io.streamdistill.trainer.model.DistillationMethod;
import io.streamdistill.trainer.model.TeacherCombination;
import picocli.CommandLine.Option;

/**
 * What the loss holds, as command-line options of {@code ./distill train} (a picocli mixin): T and α,
 * the α fade, how several teachers combine, self-distillation, the hint and relational terms, and the
 * automated search. The values are checked where the method is made ({@link DistillationMethod}), with
 * messages that name the flags.
 */
public final class DistillationOptions {
  @Option(names = "--temperature", defaultValue = TrainerConfig.DEFAULT_TEMPERATURE, paramLabel = "T",
      description = "Distillation temperature (Hinton et al. used 2-20). Default: ${DEFAULT-VALUE}.")
  private float temperature;

  @Option(names = "--alpha", defaultValue = TrainerConfig.DEFAULT_ALPHA, paramLabel = "A",
      description = "Weight of the soft (teacher) term; 1-A goes to the hard label. Default: ${DEFAULT-VALUE}.")
  private float alpha;

  @Option(names = "--alpha-fade", defaultValue = "none", paramLabel = "FADE",
      description = "How alpha moves towards ground truth as labels accumulate: none; labelled:N:END (linearly to"
          + " END over the first N labelled samples); teacher-error:END (towards END as the teacher's measured"
          + " accuracy on recent labelled samples falls). Default: ${DEFAULT-VALUE}.")
  private String alphaFade;

  @Option(names = "--combine-teachers", defaultValue = "mean", paramLabel = "HOW",
      description = "How several teachers of one event are combined: mean (of probabilities) or confidence"
          + " (each teacher weighted by its top probability for that event). Default: ${DEFAULT-VALUE}.")
  private String combineTeachers;

  @Option(names = "--self-distillation", defaultValue = "0", paramLabel = "W",
      description = "Share of the soft target taken from the version in service (self-distillation), in [0, 1);"
          + " pulls each version towards the last one, which lowers churn. Default: ${DEFAULT-VALUE}.")
  private float selfWeight;

  @Option(names = "--hint-weight", defaultValue = "0", paramLabel = "W",
      description = "Weight of the FitNets hint: the student's hidden layer, through a learned projection, regresses"
          + " the teacher's embedding carried in the soft labels. Needs --hint-width. Default: ${DEFAULT-VALUE}.")
  private float hintWeight;

  @Option(names = "--hint-width", defaultValue = "0", paramLabel = "N",
      description = "Width of the teacher's embedding (384 for the MiniLM mail teacher). Soft labels whose"
          + " embedding has another width are dead-lettered. Default: ${DEFAULT-VALUE}.")
  private int hintWidth;

  @Option(names = "--relational-weight", defaultValue = "0", paramLabel = "W",
      description = "Weight of relational distillation (Park et al. 2019): the student keeps the teacher"
          + " embeddings' pairwise distances and angles within each batch. Default: ${DEFAULT-VALUE}.")
  private float relationalWeight;

  @Option(names = "--auto-tune", negatable = false,
      description = "Choose T and alpha by a grid search (T 1-20, alpha 0.5-1) on the first 2,000 samples and the"
          + " held-out slice; the choice is logged and kept in each version's metrics (and across restarts).")
  private boolean autoTune;

  /** The method these options describe. */
  public DistillationMethod method() {
    return new DistillationMethod(temperature, alpha, AlphaFade.parse(alphaFade),
        TeacherCombination.parse(combineTeachers), selfWeight, hintWeight, hintWidth, relationalWeight, autoTune);
  }
}
