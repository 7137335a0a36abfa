package io.streamdistill.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The produce command's argument handling: help, usage errors (exit 2), configuration errors (exit 1). */
class ProduceCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = ProduceCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void shouldDocumentSourcesScenariosAndOptionsInHelp() {
    assertEquals(0, run("--help"));
    String help = out.toString();
    for (String text : new String[] {"mnist-train", "spamassassin", ".jsonl", "steady", "shift", "omit-class",
        "burst", "--rate", "--count", "--shuffle", "--seed", "--loop", "--key", "--labels", "--late-share",
        "--late-delay", "--bootstrap-servers", "--schema-registry-url", "-X", "--text-column", "Exit codes",
        "--no-header", "--columns", "--columns-file", "--field-columns", "--fields-all", "--categorical-columns",
        "--numeric-columns", "--idx-labels", "--format", "--source-name", "--max-line-chars", "idx3-ubyte",
        "NA, N/A"}) {
      assertTrue(help.contains(text), text + " missing from --help");
    }
  }

  @Test
  void shouldExitWithUsageErrorForAnUnknownScenario() {
    assertEquals(2, run("--source", "mnist-test", "--scenario", "tsunami", "--bootstrap-servers", "x:1"));
    assertTrue(err.toString().contains("unknown scenario 'tsunami'"), err.toString());
  }

  @Test
  void shouldExitWithUsageErrorForABadNumber() {
    assertEquals(2, run("--source", "mnist-test", "--rate", "fast"));
    assertTrue(err.toString().contains("--rate"), err.toString());
  }

  @Test
  void shouldExitWithUsageErrorForABadLabelPolicy() {
    assertEquals(2, run("--source", "mnist-test", "--labels", "sometimes"));
    assertTrue(err.toString().contains("--labels must be one of [always, never, late]"), err.toString());
  }

  @Test
  void shouldExitWithUsageErrorForABadDuration() {
    assertEquals(2, run("--source", "mnist-test", "--late-delay", "soon"));
    assertTrue(err.toString().contains("--late-delay"), err.toString());
  }

  @Test
  void shouldSayHowToGiveTheBrokerWhenNoneIsConfigured(@TempDir Path dir) throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.properties"));
    assertEquals(1, run("--source", "mnist-test", "--config", empty.toString()));
    assertTrue(err.toString().contains("bootstrap.servers"), err.toString());
    assertTrue(err.toString().contains("./distill stack"), err.toString());
  }

  @Test
  void shouldRefuseAFileWhosePayloadNoFlagNamesWhenItHoldsNothingButTheLabel(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("labels.csv"), "label\nnormal.\n");
    assertEquals(1, run("--source", file.toString(), "--bootstrap-servers", "x:1", "--schema-registry-url",
        "http://x:1"));
    assertTrue(err.toString().contains("labels.csv: its first rows hold no column but the label and the id to learn"
        + " from"), err.toString());
  }

  @Test
  void shouldNameTheFileAndColumnsWhenALabelColumnIsMissing(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("flows.csv"), "0,tcp,normal.\n");
    assertEquals(2, run("--source", file.toString(), "--no-header", "--fields-all", "--label-column", "label",
        "--bootstrap-servers", "x:1", "--schema-registry-url", "http://x:1"));
    assertTrue(err.toString().contains("flows.csv has no column label; its columns are: c0, c1, c2"), err.toString());
  }

  @Test
  void shouldNameAFileSourceThatDoesNotExist() {
    assertEquals(2, run("--source", "/no/such/file.csv", "--bootstrap-servers", "x:1",
        "--schema-registry-url", "http://x:1"));
    assertTrue(err.toString().contains("/no/such/file.csv"), err.toString());
  }
}
