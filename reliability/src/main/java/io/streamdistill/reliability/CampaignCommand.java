package io.streamdistill.reliability;

import io.streamdistill.config.Commands;
import io.streamdistill.config.Durations;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The reliability campaign in one command: real processes on a real local stack, disrupted, audited, reported. */
@Command(
    name = "reliability",
    mixinStandardHelpOptions = true,
    version = "stream-distill reliability 0.1.0",
    sortOptions = false,
    description = {
      "Starts a local stack (a real KRaft broker and schema registry) and runs each case against the real",
      "services, each a child JVM started through its own command:",
      "",
      "  trainer-sigkill                     the trainer SIGKILLed at random moments while real soft labels stream",
      "                                      in; the published lineage must cover every soft label exactly once",
      "  teacher-scale-out                   teacher instances on six partitions: one joins two, one is SIGKILLed,",
      "                                      one stops cleanly, one joins again; every partition labels again within",
      "                                      60 s of each change, and every event is labelled exactly once",
      "  teacher-sigkill-and-broker-restart  the teacher service SIGKILLed at random moments, and the broker",
      "                                      restarted once; every event must get exactly one soft label per teacher",
      "  bad-input                           bad input events and bad soft labels of every kind amid good ones;",
      "                                      all dead-lettered with a reason, no crash, every good record through",
      "  trainer-dead-letters                bad soft labels only (nothing publishable) and the trainer SIGKILLed",
      "                                      between its dead-letter writes; each bad record dead-lettered once",
      "  tampered-versions                   tampered and unusable versions to a serving edge node; all rejected",
      "                                      with a reason while /predict keeps answering with the good version",
      "  edge-load-during-swaps              the edge node loaded from another process while versions are swapped",
      "                                      in; no failed request, p99 during swaps at most 1.5 x steady p99",
      "                                      (or within 2 ms of it, or of the steady p99 - p50 if larger)",
      "  secrets-not-logged                  an admin token, a signing key and passed-through client passwords;",
      "                                      admin pin refused without the token, and no secret in any log",
      "",
      "Prints progress lines, then a table (case, trials, survived, lost, duplicated), written with the details",
      "as reliability.txt and reliability.json under --out; the services' logs are under --out/logs.",
      ""
    },
    footer = {
      "",
      "Exit codes: 0 every case passed, 1 a case failed, 2 bad arguments.",
      "Example: ./distill reliability --cases trainer-sigkill,bad-input --kills 3"
    })
public final class CampaignCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--cases", split = ",", paramLabel = "CASE[,CASE...]",
      description = "The cases to run, in the campaign's order whatever the order given. Default: all.")
  private List<String> cases = new ArrayList<>();

  @Option(names = "--kills", defaultValue = "10", paramLabel = "N",
      description = "SIGKILLs of the trainer. Default: ${DEFAULT-VALUE}.")
  private int kills;

  @Option(names = "--teacher-kills", defaultValue = "5", paramLabel = "N",
      description = "SIGKILLs of the teacher service (the broker restart comes on top). Default: ${DEFAULT-VALUE}.")
  private int teacherKills;

  @Option(names = "--kill-window", defaultValue = "4s", paramLabel = "DURATION",
      description = "Each kill comes at a random moment up to this long after the process began to work."
          + " Default: ${DEFAULT-VALUE}.")
  private String killWindow;

  @Option(names = "--bad-records", defaultValue = "1200", paramLabel = "N",
      description = "Bad input events, and as many bad soft labels. Default: ${DEFAULT-VALUE}.")
  private int badRecords;

  @Option(names = "--good-records", defaultValue = "1500", paramLabel = "N",
      description = "Good input events among the bad ones. Default: ${DEFAULT-VALUE}.")
  private int goodRecords;

  @Option(names = "--tampered", defaultValue = "128", paramLabel = "N",
      description = "Tampered versions sent to the edge node. Default: ${DEFAULT-VALUE}.")
  private int tampered;

  @Option(names = "--standby-replicas", defaultValue = "0", paramLabel = "N",
      description = "The teacher instances' num.standby.replicas in teacher-scale-out: warm copies of each task's"
          + " store on other instances, so that a moved task need not restore it first. Default: ${DEFAULT-VALUE}.")
  private int standbyReplicas;

  @Option(names = "--load-seconds", defaultValue = "60", paramLabel = "N",
      description = "How long the edge node's load is measured (after --load-warmup). Default: ${DEFAULT-VALUE}.")
  private int loadSeconds;

  @Option(names = "--load-warmup", defaultValue = "8s", paramLabel = "DURATION",
      description = "The load runs this long before --load-seconds are measured: on 2 cores it took about 8 s"
          + " until JIT compilation on both sides settled (p50 from 5 ms down to 0.4 ms). Versions are swapped"
          + " in during the warm-up too. Default: ${DEFAULT-VALUE}.")
  private String loadWarmup;

  @Option(names = "--load-threads", defaultValue = "4", paramLabel = "N",
      description = "Client threads of the load generator. Default: ${DEFAULT-VALUE}.")
  private int loadThreads;

  @Option(names = "--load-rate", defaultValue = "1000", paramLabel = "PER_SECOND",
      description = "Requests a second over all load threads; 0 for as fast as answers come (saturates this"
          + " machine, which then measures its scheduler more than the edge). Default: ${DEFAULT-VALUE}.")
  private double loadRate;

  @Option(names = "--swap-every", defaultValue = "3s", paramLabel = "DURATION",
      description = "A new good version is published this often during the load. Default: ${DEFAULT-VALUE}.")
  private String swapEvery;

  @Option(names = "--swap-window", defaultValue = "1s", paramLabel = "DURATION",
      description = "Requests within half this of a swap count as during the swap. Default: ${DEFAULT-VALUE}.")
  private String swapWindow;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of every random choice (kill moments, bad records); printed, so a run can be repeated."
          + " Default: a new one.")
  private Long seed;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Where the report and the logs go. Default: reliability/target/reliability (from the"
          + " repository root), else target/reliability.")
  private Path out;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return Commands.withExitCodes(new CampaignCommand(), "reliability");
  }

  /** The settings the arguments ask for; IllegalArgumentException names a bad one. */
  CampaignSettings settings() {
    List<String> known = Campaign.caseNames();
    List<String> wanted = cases.isEmpty() || cases.contains("all") ? known : cases;
    for (String name : wanted) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("--cases: unknown case '" + name + "'; the cases are " + known);
      }
    }
    CampaignSettings.Load loadSettings = new CampaignSettings.Load(Duration.ofSeconds(loadSeconds), loadThreads,
        loadRate, Durations.parse("--swap-every", swapEvery), Durations.parse("--swap-window", swapWindow),
        Durations.parse("--load-warmup", loadWarmup));
    return new CampaignSettings(known.stream().filter(wanted::contains).toList(), kills, teacherKills,
        Durations.parse("--kill-window", killWindow), badRecords, goodRecords, tampered, standbyReplicas, loadSettings,
        seed != null ? seed : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE),
        out != null ? out : defaultOut());
  }

  /** reliability/target/reliability under the repository root when run from it (or told where it is), else ./target. */
  static Path defaultOut() {
    Path root = Path.of(System.getProperty("distill.repo.root", ""));
    return Files.isDirectory(root.resolve("reliability")) ? root.resolve("reliability/target/reliability")
        : Path.of("target", "reliability");
  }

  @Override
  public Integer call() {
    CampaignSettings settings = settings();
    PrintWriter printer = spec.commandLine().getOut();
    CampaignReport report = new Campaign(settings).run(printer);
    printer.println();
    printer.print(report.table());
    printer.flush();
    return report.passed() ? 0 : 1;
  }
}
