package io.streamdistill.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LocalStackCommandTest {

  @Test
  void shouldExplainEveryOptionInHelp() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new LocalStackCommand());
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("--help"));
    for (String option : new String[] {"--work-dir", "--broker-port", "--registry-port", "--partitions",
        "--no-topics", "--connection-file", "--once"}) {
      assertTrue(out.toString().contains(option), option + " missing from --help");
    }
  }

  @Test
  void shouldExitWithUsageErrorOnUnknownOption() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new LocalStackCommand());
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("--bogus"));
    assertTrue(err.toString().contains("Unknown option: '--bogus'"), err.toString());
  }

  @Test
  void shouldRejectZeroPartitionsBeforeStartingAnything() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new LocalStackCommand());
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("--partitions", "0"));
    assertTrue(err.toString().contains("--partitions must be at least 1"), err.toString());
  }

  @Test
  void shouldRejectANonNumericPort() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new LocalStackCommand());
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("--broker-port", "ninety"));
    assertTrue(err.toString().contains("--broker-port"), err.toString());
  }
}
