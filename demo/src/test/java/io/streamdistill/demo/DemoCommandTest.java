package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
  @Test
  void shouldRefuseAnUnknownScenarioWithExitCodeTwo() {
    Run run = run("cifar");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unknown scenario 'cifar': use mail or mnist"), run.err());
    assertTrue(run.err().contains("--help"), run.err());
  }

  @Test
  void shouldRefuseABadNumberWithUsageAndExitCodeTwo() {
    Run notANumber = run("mnist", "--events", "lots");
    assertEquals(2, notANumber.code());
    assertTrue(notANumber.err().contains("Usage: demo"), notANumber.err());
    Run tooFew = run("mnist", "--events", "5");
    assertEquals(2, tooFew.code());
    assertTrue(tooFew.err().contains("--events must be at least 100"), tooFew.err());
    Run rate = run("mail", "--rate", "-3");
    assertEquals(2, rate.code());
    assertTrue(rate.err().contains("--rate must be positive"), rate.err());
    Run omit = run("mail", "--omit-class", "3");
    assertEquals(2, omit.code());
    assertTrue(omit.err().contains("--omit-class is for the mnist scenario"), omit.err());
    Run duration = run("mnist", "--publish-interval", "soon");
    assertEquals(2, duration.code());
  }

  @Test
  void shouldDefaultToMailAndExplainTheScenariosInHelp() {
    Run help = run("--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("mail   SpamAssassin") && help.out().contains("--omit-class"), help.out());
    DemoCommand command = new DemoCommand();
    new CommandLine(command).parseArgs();
    assertEquals(DemoSettings.Scenario.MAIL, command.settings().scenario());
    assertEquals(6_000, command.settings().events());
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cli = DemoCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
