package io.streamdistill.producers;

import io.streamdistill.config.ClientOptions;
import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.FieldType;
import io.streamdistill.datasets.SourceOptions;
import io.streamdistill.schemas.InputEvent;
import io.streamdistill.schemas.Topics;
import io.streamdistill.serde.AvroSerde;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./distill produce}: replays a data set into the input-events topic. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    version = "stream-distill producer 0.1.0",
    sortOptions = false,
    description = {
      "Replays a data set into Kafka as Avro InputEvents (Confluent wire format, schema in the registry),",
      "at a chosen rate, in a chosen order, with the scenarios real traffic has.",
      ""
    },
    footer = {
      "",
      "Scenarios (--scenario):",
      "  steady      the source's order (random with --shuffle) at a steady rate",
      "  shift       the class mix drifts: the first half of the classes (sorted by name) dominates at the",
      "              start, the second half at the end (ham-heavy to spam-heavy; digits 0-4 to 5-9)",
      "  omit-class  no example of --omit-class before --switch-at (a share of the stream), then every",
      "              class: Hinton et al.'s 'omitted 3'",
      "  burst       the rate is multiplied by --burst-factor for 20%% of the stream, starting at 40%%",
      "",
      "Exit codes: 0 every event was acknowledged, 1 some failed or the run could not start, 2 bad arguments.",
      "Examples: ./distill produce --source mnist-train --count 20000 --rate 2000 --shuffle \\",
      "            --scenario omit-class --omit-class 3 --switch-at 0.5 --labels late --late-share 0.3",
      "          ./distill produce --source kddcup.data_10_percent.gz --format csv --no-header \\",
      "            --label-column c41 --fields-all --rate 1000"
    })
public final class ProduceCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private ClientOptions client;

  @Option(names = "--source", required = true, paramLabel = "SOURCE",
      description = "mnist-train, mnist-test, spamassassin, or a file: CSV, JSON Lines, IDX images (see Sources"
          + " below).")
  private String source;

  @Option(names = "--topic", defaultValue = Topics.INPUT_EVENTS, paramLabel = "TOPIC",
      description = "Topic to write to. Default: ${DEFAULT-VALUE}.")
  private String topic;

  @Option(names = "--count", defaultValue = "0", paramLabel = "N",
      description = "Events to send; 0 sends the whole source once (forever with --loop). Default: ${DEFAULT-VALUE}.")
  private long count;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_SECOND",
      description = "Base rate; 0 for as fast as the broker takes them. Default: ${DEFAULT-VALUE}.")
  private double rate;

  @Option(names = "--shuffle", description = "Random order instead of the source's.")
  private boolean shuffle;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
      description = "Seed of every random choice; the same seed gives the same stream. Default: ${DEFAULT-VALUE}.")
  private long seed;

  @Option(names = "--loop", description = "Start over when the source is used up; ids of later passes end in #PASS.")
  private boolean loop;

  @Option(names = "--key", defaultValue = "id", paramLabel = "id|none|label",
      description = "Record key: the event id (an event and its late label share a partition), none, or the"
          + " attached label. Default: ${DEFAULT-VALUE}.")
  private String key;

  @Option(names = "--labels", defaultValue = "always", paramLabel = "always|never|late",
      description = "Ground truth: attached to every event, never sent, or late (a share of the labels arrives"
          + " as LATE_LABEL events after --late-delay; the others never). Default: ${DEFAULT-VALUE}.")
  private String labels;

  @Option(names = "--late-share", defaultValue = "0.3", paramLabel = "SHARE",
      description = "With --labels late: share of events whose label arrives late. Default: ${DEFAULT-VALUE}.")
  private double lateShare;

  @Option(names = "--late-delay", defaultValue = "10s", paramLabel = "DURATION",
      description = "With --labels late: delay of a late label after its event (e.g. 500ms, 10s, 2m)."
          + " Default: ${DEFAULT-VALUE}.")
  private String lateDelay;

  @Option(names = "--scenario", defaultValue = "steady", paramLabel = "NAME",
      description = "steady, shift, omit-class or burst (see Scenarios below). Default: ${DEFAULT-VALUE}.")
  private String scenario;

  @Option(names = "--omit-class", paramLabel = "CLASS", description = "With omit-class: the class held back (e.g. 3).")
  private String omitClass;

  @Option(names = "--switch-at", defaultValue = "0.5", paramLabel = "SHARE",
      description = "With omit-class: share of the stream before the held-back class appears."
          + " Default: ${DEFAULT-VALUE}.")
  private double switchAt;

  @Option(names = "--burst-factor", defaultValue = "10", paramLabel = "FACTOR",
      description = "With burst: rate multiplier during the burst. Default: ${DEFAULT-VALUE}.")
  private double burstFactor;

  @Mixin
  private SourceOptions sourceOptions;

  @Option(names = "--progress-interval", defaultValue = "5s", paramLabel = "DURATION",
      description = "How often a progress line is printed. Default: ${DEFAULT-VALUE}.")
  private String progressInterval;

  @Option(names = "--max-errors", defaultValue = "100", paramLabel = "N",
      description = "Give up after N failed sends (e.g. the broker is gone); 0 never gives up."
          + " Default: ${DEFAULT-VALUE}.")
  private long maxErrors;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command with the project's exit codes: usage errors 2, configuration and run errors 1. */
  public static CommandLine commandLine() {
    CommandLine cli = Commands.withExitCodes(new ProduceCommand(), "produce");
    // The sources' help is the datasets module's, shared with the other commands that read data sets.
    List<String> footer = new ArrayList<>(List.of("", "Sources:"));
    footer.addAll(SourceOptions.HELP);
    footer.addAll(List.of(cli.getCommandSpec().usageMessage().footer()));
    cli.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
    return cli;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ReplayOptions options = new ReplayOptions(topic, count, rate, shuffle, seed, loop,
        enumOption(KeyChoice.class, "--key", key), enumOption(LabelPolicy.class, "--labels", labels),
        lateShare, Durations.parse("--late-delay", lateDelay),
        Scenario.named(scenario, omitClass, switchAt, burstFactor),
        Durations.parse("--progress-interval", progressInterval));
    if (maxErrors < 0) {
      throw new IllegalArgumentException("--max-errors must be 0 or more");
    }
    // A missing setting is a ConfigurationException: exit code 1 with its message (Commands).
    Map<String, Object> config = client.clientConfig();

    out.printf("Reading %s...%n", source);
    out.flush();
    long readStart = System.nanoTime();
    ExampleSource examples = sourceOptions.open(source, out::println);
    out.printf("%s: %,d examples, classes %s, read in %.1f s%n", examples.name(), examples.size(),
        examples.classes(), (System.nanoTime() - readStart) / 1e9);
    if (!examples.fieldTypes().isEmpty()) {
      // The typing is decided from the whole file: show it, so that a column typed by surprise is seen.
      List<String> categorical = examples.fieldTypes().entrySet().stream()
          .filter(e -> e.getValue() == FieldType.CATEGORICAL).map(Map.Entry::getKey).toList();
      out.printf("Structured fields: %d, %d numeric, %d categorical%s%n", examples.fieldTypes().size(),
          examples.fieldTypes().size() - categorical.size(), categorical.size(),
          categorical.isEmpty() ? "" : " (" + String.join(", ", categorical.subList(0, Math.min(20,
              categorical.size()))) + (categorical.size() > 20 ? ", ..." : "") + ")");
    }
    if (examples.skipped().count() > 0) {
      out.printf("Skipped %,d bad items of the source; the first reasons:%n", examples.skipped().count());
      examples.skipped().firstReasons().forEach(reason -> out.println("  " + reason));
    }
    Topics.requireExists(config, options.topic(), "--topic", Topics.DEFAULT_KAFKA_WAIT, note -> {
      out.println(note);
      out.flush();
    });

    Map<String, Object> producerConfig = producerDefaults();
    producerConfig.putAll(config);
    try (AvroSerde<InputEvent> serde = AvroSerde.forValues(InputEvent.class, config);
        KafkaProducer<String, InputEvent> producer =
            new KafkaProducer<>(producerConfig, new StringSerializer(), serde.serializer())) {
      Replay replay = new Replay(examples, producer, options, maxErrors);
      CountDownLatch finished = new CountDownLatch(1);
      Thread stopOnSignal = new Thread(() -> {
        replay.stop();
        try {
          finished.await(60, TimeUnit.SECONDS); // let the replay flush what it sent
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
      }, "produce-shutdown");
      Runtime.getRuntime().addShutdownHook(stopOnSignal);
      out.printf("Producing to %s at %s (scenario %s, labels %s)...%n", options.topic(),
          rate > 0 ? String.format("%,.0f events/s", rate) : "full speed", options.scenario().name(),
          options.labels().name().toLowerCase(Locale.ROOT));
      out.flush();
      ReplayResult result;
      try {
        result = replay.run((sent, failed, pending, eventsPerSecond) -> {
          out.printf("  sent %,d events (%,.0f/s), %,d errors%s%n", sent, eventsPerSecond, failed,
              pending > 0 ? String.format(", %,d late labels pending", pending) : "");
          out.flush();
        });
      } finally {
        finished.countDown();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnSignal);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waits for us
      }
      printSummary(out, result);
      return result.succeeded() ? 0 : 1;
    }
  }

  /** Producer settings that suit replaying: no loss, no duplicates, batched. The user's -X wins. */
  public static Map<String, Object> producerDefaults() {
    Map<String, Object> defaults = new HashMap<>();
    defaults.put(ProducerConfig.ACKS_CONFIG, "all");
    defaults.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    defaults.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    defaults.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // Fail a send after a minute, not the default two: a replay should report a dead broker soon.
    defaults.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    defaults.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    defaults.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
    return defaults;
  }

  private static void printSummary(PrintWriter out, ReplayResult result) {
    out.printf("Done in %.1f s: %,d events sent (%,.0f/s), %,d late labels, %,d failed,"
        + " %,d bad source items skipped.%n",
        result.elapsed().toNanos() / 1e9, result.sent(), result.eventsPerSecond(), result.lateLabelsSent(),
        result.failed(), result.skippedInSource());
    if (!result.firstErrors().isEmpty()) {
      out.println("First errors:");
      result.firstErrors().forEach(error -> out.println("  " + error));
    }
    out.flush();
  }

  private static <E extends Enum<E>> E enumOption(Class<E> type, String option, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " must be one of "
          + List.of(type.getEnumConstants()).stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
          + ", not '" + value + "'");
    }
  }
}
