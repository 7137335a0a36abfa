package io.streamdistill.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CampaignCommandTest {
  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = CampaignCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void shouldExplainEveryCaseInItsHelp() {
    Run run = run("--help");
    assertEquals(0, run.exitCode());
    for (String name : Campaign.caseNames()) {
      assertTrue(run.out().contains(name), name + " in\n" + run.out());
    }
    assertTrue(run.out().contains("--load-seconds"));
  }

  @Test
  void shouldRefuseAnUnknownCaseWithExitCode2BeforeStartingAnything() {
    Run run = run("--cases", "trainer-sigkill,chaos-monkey");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("unknown case 'chaos-monkey'"), run.err());
  }

  @Test
  void shouldRefuseBadNumbersWithExitCode2() {
    assertEquals(2, run("--kills", "0").exitCode());
    assertEquals(2, run("--swap-every", "1s", "--swap-window", "2s").exitCode());
    assertEquals(2, run("--kill-window", "soon").exitCode());
    assertEquals(2, run("--standby-replicas", "3").exitCode());
  }

  @Test
  void shouldRunTheChosenCasesInTheCampaignsOrder() {
    CommandLine cli = CampaignCommand.commandLine();
    cli.parseArgs("--cases", "edge-load-during-swaps,trainer-sigkill", "--seed", "5", "--load-seconds", "10",
        "--out", "x", "--standby-replicas", "1");
    CampaignSettings settings = ((CampaignCommand) cli.getCommand()).settings();
    assertEquals(1, settings.standbyReplicas());
    assertEquals(List.of("trainer-sigkill", "edge-load-during-swaps"), settings.cases());
    assertEquals(5, settings.seed());
    assertEquals(Duration.ofSeconds(10), settings.load().duration());
    assertEquals(Path.of("x"), settings.out());
  }

  @Test
  void shouldPrintATableWithARowPerCaseAndEachFailure() {
    CampaignSettings settings = new CampaignSettings(List.of("a", "b"), 10, 5, Duration.ofSeconds(4), 1_000, 1_000,
        100, 0, new CampaignSettings.Load(Duration.ofSeconds(60), 4, 1000, Duration.ofSeconds(3), Duration.ofSeconds(1),
        Duration.ofSeconds(8)), 42, Path.of("out"));
    CampaignReport report = new CampaignReport("now", 12.3, settings, List.of(
        new CaseResult("a", 10, 10, 0, 0, true, "all good", List.of(), Map.of(), 1.0),
        new CaseResult("b", 3, 2, 1, 0, false, "one lost", List.of("1 event without a soft label"), Map.of(), 2.0)));
    String table = report.table();
    assertTrue(table.contains("case") && table.contains("trials") && table.contains("survived")
        && table.contains("lost") && table.contains("duplicated"), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("a ") && l.contains("PASS")), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("b ") && l.contains("FAIL")), table);
    assertTrue(table.contains("FAILED: 1 event without a soft label"), table);
    assertTrue(!report.passed());
  }
}
