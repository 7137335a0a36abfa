package io.streamdistill.teacher.mnist;

import io.streamdistill.config.Commands;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train-mnist-teacher}: trains the MNIST teacher (or finds it already trained with the same
 * options), and prints its test errors and its directory. Exit code 0 when the teacher is there, 1
 * when training or saving failed, 2 for bad arguments.
 *
 * <pre>
 * train-mnist-teacher                      # the default teacher, trained once per machine
 * train-mnist-teacher --epochs 5 --force   # a quicker one, trained even if it exists
 * </pre>
 */
@Command(name = "train-mnist-teacher", mixinStandardHelpOptions = true,
    description = "Trains the MNIST teacher of Hinton, Vinyals & Dean (2015), a 784-1200-1200-10 ReLU network"
        + " with dropout and 2-pixel jitter, with DJL/PyTorch on the CPU, and saves it as a teacher directory"
        + " (DJL parameters + teacher.json). A teacher trained with the same options is reused unless --force."
        + " The default run takes about 6 minutes on 2 idle cores and makes about 120 errors of 10,000.")
public final class TrainMnistTeacherCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--epochs", paramLabel = "N",
      description = "Passes over the 60,000 training images (default: ${DEFAULT-VALUE}).")
  int epochs = MnistTeacherTrainer.Options.DEFAULT.epochs();

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Images per optimizer step (default: ${DEFAULT-VALUE}).")
  int batchSize = MnistTeacherTrainer.Options.DEFAULT.batchSize();

  @Option(names = "--learning-rate", paramLabel = "RATE",
      description = "Adam's initial learning rate, decayed along a cosine to 1%% of it (default: ${DEFAULT-VALUE}).")
  double learningRate = MnistTeacherTrainer.Options.DEFAULT.learningRate();

  @Option(names = "--seed", paramLabel = "N",
      description = "Seeds data order, jitter, initial weights and dropout (default: ${DEFAULT-VALUE}).")
  long seed = MnistTeacherTrainer.Options.DEFAULT.seed();

  @Option(names = "--out", paramLabel = "DIR",
      description = "Directory of trained teachers; the teacher goes into DIR/<options key> (default:"
          + " $DISTILL_CACHE_DIR/teachers, or ~/.cache/stream-distill/teachers).")
  Path out;

  @Option(names = "--force", description = "Train again even if a teacher with these options exists, and replace it.")
  boolean force;

  @Override
  public Integer call() {
    MnistTeacherTrainer.Options options;
    try {
      options = MnistTeacherTrainer.Options.DEFAULT.withEpochs(epochs).withBatchSize(batchSize)
          .withLearningRate(learningRate).withSeed(seed);
    } catch (IllegalArgumentException e) {
      // picocli turns this into a usage error: the message, the usage help, exit code 2.
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage().replace("batchSize", "--batch-size")
          .replace("learningRate", "--learning-rate").replace("epochs", "--epochs"));
    }
    Path cacheDir = out != null ? out : MnistTeacherTrainer.defaultCacheDirectory();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    try {
      MnistTeacherTrainer trainer = new MnistTeacherTrainer(options);
      Path dir = force ? trainer.retrain(cacheDir) : trainer.trainedOrCached(cacheDir);
      TeacherDescriptor teacher = TeacherDirectory.read(dir);
      double errors = teacher.metrics().getOrDefault("test.errors", Double.NaN);
      double examples = teacher.metrics().getOrDefault("test.examples", 10_000.0);
      stdout.printf(Locale.ROOT, "MNIST teacher %s, version %s%n", teacher.id(), teacher.version());
      stdout.printf(Locale.ROOT, "  test errors  = %.0f of %.0f (accuracy %.2f%%)%n", errors, examples,
          100 * teacher.metrics().getOrDefault("test.accuracy", Double.NaN));
      stdout.printf(Locale.ROOT, "  trained in   = %.1f s (%.0f epochs)%n",
          teacher.metrics().getOrDefault("train.seconds", Double.NaN),
          teacher.metrics().getOrDefault("epochs", Double.NaN));
      stdout.printf(Locale.ROOT, "  directory    = %s%n", dir.toAbsolutePath());
      stdout.flush();
      return 0;
    } catch (RuntimeException e) {
      stderr.println("train-mnist-teacher failed: " + e.getMessage());
      stderr.flush();
      return 1;
    }
  }

  /** Runs the command on its own (the main CLI registers it as a subcommand instead). */
  public static void main(String[] args) {
    System.exit(Commands.withHelpWidth(new CommandLine(new TrainMnistTeacherCommand())).execute(args));
  }
}
