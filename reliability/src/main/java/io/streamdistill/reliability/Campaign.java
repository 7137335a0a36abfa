package io.streamdistill.reliability;

import io.streamdistill.reliability.cases.BadInputCase;
import io.streamdistill.reliability.cases.EdgeLoadCase;
import io.streamdistill.reliability.cases.SecretsCase;
import io.streamdistill.reliability.cases.TamperedVersionsCase;
import io.streamdistill.reliability.cases.TeacherScaleOutCase;
import io.streamdistill.reliability.cases.TeacherSigkillCase;
import io.streamdistill.reliability.cases.TrainerDeadLettersCase;
import io.streamdistill.reliability.cases.TrainerSigkillCase;
import io.streamdistill.stack.LocalStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the selected cases one after another on one local stack (a real KRaft broker and registry),
 * each with its own topics, then writes the report. A case that throws is reported as failed with the
 * reason, and the campaign goes on with the next.
 *
 * <pre>{@code
 * CampaignReport report = new Campaign(settings).run(new PrintWriter(System.out));
 * }</pre>
 */
public final class Campaign {
  private static final Logger LOGGER = LoggerFactory.getLogger(Campaign.class);

  private final CampaignSettings settings;

  public Campaign(CampaignSettings settings) {
    this.settings = settings;
  }

  /** Every case, in the order a campaign runs them. */
  public static List<ReliabilityCase> cases() {
    // The scale-out case before the broker restart: after it, a new topic's first sends were refused for minutes in
    // CI (NOT_LEADER_OR_FOLLOWER, cause unknown), which is what the case after it measured there.
    return List.of(new TrainerSigkillCase(), new TeacherScaleOutCase(), new TeacherSigkillCase(), new BadInputCase(),
        new TrainerDeadLettersCase(), new TamperedVersionsCase(), new EdgeLoadCase(), new SecretsCase());
  }

  public static List<String> caseNames() {
    return cases().stream().map(ReliabilityCase::name).toList();
  }

  public CampaignReport run(PrintWriter out) {
    Instant startedAt = Instant.now();
    long started = System.nanoTime();
    Progress progress = new Progress(out);
    List<ReliabilityCase> selected = cases().stream().filter(c -> settings.cases().contains(c.name())).toList();
    progress.line("campaign", "cases %s, seed %d; starting the local stack (a KRaft broker and a schema registry)",
        settings.cases(), settings.seed());
    List<CaseResult> results = new ArrayList<>();
    try (LocalStack stack = LocalStack.builder().start()) {
      progress.line("campaign", "local stack up: broker %s, registry %s", stack.bootstrapServers(),
          stack.schemaRegistryUrl());
      for (ReliabilityCase reliabilityCase : selected) {
        results.add(runOne(reliabilityCase, stack, progress));
      }
    }
    CampaignReport report = new CampaignReport(startedAt.toString(), (System.nanoTime() - started) / 1e9, settings,
        results);
    report.write(settings.out());
    progress.line("campaign", "%s in %.0f s; report in %s", report.passed() ? "PASSED" : "FAILED", report.seconds(),
        settings.out().toAbsolutePath());
    return report;
  }

  private CaseResult runOne(ReliabilityCase reliabilityCase, LocalStack stack, Progress progress) {
    String name = reliabilityCase.name();
    Path dir = settings.out().resolve("logs").resolve(name);
    deleteRecursively(dir);
    long started = System.nanoTime();
    progress.line(name, "starting; logs in %s", dir);
    CaseResult result;
    try (CaseContext context = new CaseContext(name, stack, settings, progress, dir)) {
      result = reliabilityCase.run(context);
    } catch (Exception | AssertionError e) {
      LOGGER.atError().setCause(e).addKeyValue("case", name).log("case did not complete");
      result = CaseResult.crashed(name, e, (System.nanoTime() - started) / 1e9);
    }
    progress.line(name, "%s: trials %d, survived %d, lost %d, duplicated %d (%.0f s)%s",
        result.passed() ? "PASS" : "FAIL", result.trials(), result.survived(), result.lost(), result.duplicated(),
        result.seconds(), result.failures().isEmpty() ? "" : "; " + String.join("; ", result.failures()));
    return result;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not clear " + dir, e);
    }
  }
}
