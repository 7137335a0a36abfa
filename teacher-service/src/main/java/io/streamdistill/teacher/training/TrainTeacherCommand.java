package io.streamdistill.teacher.training;

import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import io.streamdistill.datasets.DatasetException;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train-teacher}: a teacher from any labelled data set, the model chosen by the payload
 * ({@link TeacherTraining}). Exit code 0 when the teacher is written (or found), 1 when training
 * failed, 2 for bad arguments or data that cannot make a teacher.
 *
 * <pre>
 * train-teacher --source flows.csv --label-column class --field-columns ... --out teachers/flows
 * train-teacher --source train-images.gz --idx-labels train-labels.gz --model cnn --out teachers/digits
 * </pre>
 */
@Command(name = "train-teacher", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Trains a teacher on a labelled data set and writes it as a verified teacher directory that"
          + " `./distill teacher --teacher DIR` serves. The payload decides the model: text -> a frozen sentence"
          + " encoder (--encoder) with a trained head; dense vectors -> an MLP (ReLU, dropout) over standardised"
          + " components; images (IDX files, image folders, or --image-shape) -> a small convolutional net"
          + " (--model mlp for the MLP); structured records -> the MLP over standardised"
          + " numeric and one-hot categorical fields (statistics from the training split, kept in the directory).",
      "A test split is kept apart by a hash of each example's id (--test-percent): the same examples in every"
          + " run. Prints a line per epoch, the test accuracy and per-class precision and recall. A directory"
          + " already trained on the same data with the same options is reused unless --force.",
      ""
    },
    footer = {"", "Exit codes: 0 trained (or reused), 1 training failed, 2 bad arguments or unusable data."})
public final class TrainTeacherCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--source", required = true, paramLabel = "SOURCE",
      description = "The labelled data: a file (CSV with or without a header, JSONL, IDX), a folder with one"
          + " subfolder per class of images (--image-size, --image-color) or of text files, or a built-in data set"
          + " (mnist-train, spamassassin).")
  private String source;

  @Mixin
  private SourceOptions sourceOptions;

  @Option(names = "--test-source", paramLabel = "SOURCE",
      description = "Test on this data set (read with the same options) instead of a split of --source.")
  private String testSource;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "The teacher directory to write.")
  private Path out;

  @Option(names = "--model", paramLabel = "auto|mlp|cnn", defaultValue = TeacherTraining.Options.DEFAULT_MODEL,
      description = "Vectors, images and records: mlp; images also cnn; auto: cnn for images of a known shape"
          + " (IDX, an image folder, --image-shape), else mlp. Default: ${DEFAULT-VALUE}.")
  private String model;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + TeacherTraining.Options.DEFAULT_EPOCHS,
      description = "Passes over the training split. Default: ${DEFAULT-VALUE}.")
  private int epochs;

  @Option(names = "--max-time", paramLabel = "DURATION",
      description = "Networks (vectors, images, records): train fewer epochs than --epochs when they would not end"
          + " within this long (e.g. 10m), told from the last epoch's pace; the learning rate's decay is fitted to"
          + " the epochs that fit. Text: embed a random share of the texts when all would not be embedded within"
          + " it, told from a probe's pace. Default: no limit.")
  private String maxTime;

  @Option(names = "--hidden", paramLabel = "W,W", split = ",", defaultValue = "256,256",
      description = "Widths of the hidden layers; the last is the teacher's embedding. Default: ${DEFAULT-VALUE}.")
  private List<Integer> hidden;

  @Option(names = "--test-percent", paramLabel = "P", defaultValue = "" + TeacherTraining.Options.DEFAULT_TEST_PERCENT,
      description = "Share of examples kept apart for testing, by a hash of the id. Default: ${DEFAULT-VALUE}.")
  private int testPercent;

  @Option(names = "--validation-percent", paramLabel = "P",
      defaultValue = "" + TeacherTraining.Options.DEFAULT_VALIDATION_PERCENT,
      description = "Networks: share of the training split kept apart to choose the epoch whose weights are written"
          + " (the best accuracy there); 0 keeps the last epoch's. Default: ${DEFAULT-VALUE}.")
  private int validationPercent;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "" + TeacherTraining.Options.DEFAULT_SEED,
      description = "Seeds data order, jitter, initial weights and dropout. Default: ${DEFAULT-VALUE}.")
  private long seed;

  @Option(names = "--encoder", paramLabel = "minilm|bge-small|DIR",
      defaultValue = TeacherTraining.Options.DEFAULT_ENCODER,
      description = "Text only: the frozen sentence encoder, or a directory with an ONNX model and tokenizer.json."
          + " Default: ${DEFAULT-VALUE}.")
  private String encoder;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + TeacherTraining.Options.DEFAULT_BATCH_SIZE,
      description = "Examples per optimizer step. Default: ${DEFAULT-VALUE}.")
  private int batchSize;

  @Option(names = "--learning-rate", paramLabel = "RATE",
      defaultValue = "" + TeacherTraining.Options.DEFAULT_LEARNING_RATE,
      description = "Adam's initial rate, decayed along a cosine to 1%% of it. Default: ${DEFAULT-VALUE}.")
  private double learningRate;

  @Option(names = "--dropout", paramLabel = "RATE", defaultValue = "" + TeacherTraining.Options.DEFAULT_HIDDEN_DROPOUT,
      description = "Dropout on each hidden layer. Default: ${DEFAULT-VALUE}.")
  private float dropout;

  @Option(names = "--input-dropout", paramLabel = "RATE", defaultValue = "0",
      description = "Dropout on the inputs (Hinton's MNIST teacher: 0.2). Default: ${DEFAULT-VALUE}.")
  private float inputDropout;

  @Option(names = "--jitter", paramLabel = "PIXELS", defaultValue = "0",
      description = "Images: shift each training image by up to this many pixels per axis, anew each epoch."
          + " Default: ${DEFAULT-VALUE}.")
  private int jitter;

  @Option(names = "--image-shape", paramLabel = "ROWSxCOLS",
      description = "Treat vectors as images of this shape (IDX sources know theirs).")
  private String imageShape;

  @Option(names = "--max-categories", paramLabel = "N",
      defaultValue = "" + TeacherTraining.Options.DEFAULT_MAX_CATEGORIES,
      description = "Records: a categorical field keeps its N most frequent values; the rest count as unseen."
          + " Default: ${DEFAULT-VALUE}.")
  private int maxCategories;

  @Option(names = "--force", description = "Train again even when --out holds a teacher of the same data and options.")
  private boolean force;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command with its error handling: usage and data errors exit 2, training errors 1. */
  public static CommandLine commandLine() {
    CommandLine cli = Commands.withHelpWidth(new CommandLine(new TrainTeacherCommand()));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      // A message that names the command already ("train-teacher needs labelled data...") is not named twice.
      String message = String.valueOf(e.getMessage());
      commandLine.getErr().println(message.startsWith("train-teacher ") ? message : "train-teacher: " + message);
      if (e instanceof IllegalArgumentException || e instanceof DatasetException) {
        commandLine.getErr().println("Try 'train-teacher --help'.");
        return 2;
      }
      return 1;
    });
    return cli;
  }

  /** The options these flags ask for; throws IllegalArgumentException naming the bad flag. */
  TeacherTraining.Options options() {
    TeacherTraining.Options options = new TeacherTraining.Options(model.toLowerCase(Locale.ROOT), epochs, hidden,
        testPercent, seed, encoder, batchSize, learningRate, inputDropout, dropout, jitter, 0, 0, maxCategories,
        validationPercent, maxTime == null ? 0 : Durations.parseSeconds("--max-time", maxTime));
    if (imageShape != null) {
      String[] parts = imageShape.toLowerCase(Locale.ROOT).split("x", -1); // "28x28x" has three parts: refused
      try {
        if (parts.length != 2) {
          throw new NumberFormatException();
        }
        options = options.withImageShape(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--image-shape must be ROWSxCOLS, e.g. 28x28, not " + imageShape, e);
      }
    }
    return options;
  }

  @Override
  public Integer call() {
    TeacherTraining.Options options = options();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintStream progress = new PrintStream(new WriterStream(stdout), true, StandardCharsets.UTF_8);
    ExampleSource examples = sourceOptions.open(source, progress::println);
    progress.printf(Locale.ROOT, "source: %s, %,d examples%s%n", examples.name(), examples.size(),
        examples.skipped().count() == 0 ? "" : String.format(Locale.ROOT, " (%,d skipped; first: %s)",
            examples.skipped().count(), String.join("; ", examples.skipped().firstReasons())));
    long started = System.nanoTime();
    Path dir;
    if (testSource != null) {
      // Read as the source was (the same label and payload, named or guessed), not guessed on its own.
      ExampleSource test = sourceOptions.openTestSource(testSource, source, progress::println,
          ": the test accuracy needs the test examples' labels");
      dir = force ? TeacherTraining.train(examples, test, options, out, progress).directory()
          : TeacherTraining.trainOrReuse(examples, test, options, out, progress);
    } else if (force) {
      dir = TeacherTraining.train(examples, options, out, progress).directory();
    } else {
      dir = TeacherTraining.trainOrReuse(examples, options, out, progress);
    }
    TeacherDescriptor teacher = TeacherDirectory.read(dir);
    progress.printf(Locale.ROOT, "done in %.1f s: %s (kind %s, version %s), test accuracy %.2f%%, in %s%n",
        (System.nanoTime() - started) / 1e9, teacher.id(), teacher.kind(), teacher.version(),
        100 * teacher.metrics().getOrDefault("test.accuracy", Double.NaN), dir.toAbsolutePath());
    progress.flush();
    return 0;
  }

  /** Bytes to a writer, so that progress lines go where picocli's output goes (tests read it). */
  private static final class WriterStream extends OutputStream {
    private final PrintWriter writer;
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    WriterStream(PrintWriter writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) {
      pending.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      pending.write(b, off, len);
    }

    @Override
    public void flush() {
      writer.write(pending.toString(StandardCharsets.UTF_8));
      pending.reset();
      writer.flush();
    }
  }
}
