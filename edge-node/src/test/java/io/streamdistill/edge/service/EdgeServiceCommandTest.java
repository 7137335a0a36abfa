package io.streamdistill.edge.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.edge.TestVersions;
import io.streamdistill.student.SigningKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The edge command's argument handling, before anything is connected. */
class EdgeServiceCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir
  Path dir;
  private Path publicKey;

  @BeforeEach
  void keys() throws Exception {
    SigningKeys.write(TestVersions.KEYS, dir.resolve("student.key"), dir.resolve("student.pub"));
    publicKey = dir.resolve("student.pub");
  }

  private int run(String... args) {
    CommandLine cli = EdgeServiceCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  /** Valid options (a broker that is never reached) plus {@code more}. */
  private int runValid(String... more) {
    List<String> args = new ArrayList<>(List.of("--model", "mnist-edge", "--public-key", publicKey.toString(),
        "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", "http://127.0.0.1:1"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  @Test
  void shouldExplainEveryOptionWithItsDefaultInHelp() {
    // picocli says on standard error when a description is not a valid format (a lone % in "99.5%").
    java.io.PrintStream before = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    try {
      System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(0, run("--help"));
    } finally {
      System.setErr(before);
    }
    String warned = warnings.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(!warned.contains("Could not format"), warned);
    // picocli wraps long descriptions: compare with the line breaks taken out (the JDK's line BreakIterator,
    // which picocli wraps with, may also break after the dot inside a name: "distill." / "deployments").
    String help = out.toString().replaceAll("\\.\\R\\s+(?=[a-z])", ".").replaceAll("\\s+", " ");
    for (String text : new String[] {"--model", "--public-key", "--node-id", "--models-topic",
        "Default: distill.student-models", "--deployments-topic", "Default: distill.deployments",
        "--input-events-topic", "Default: distill.input-events", "--keep-versions", "Default: 5",
        "--cascade-threshold", "Default: calibrated", "--teacher-url", "--teacher-timeout", "Default: 200ms",
        "--sample-rate", "Default: 0.01", "--feedback-queue-size", "--http-port", "Default: 8091",
        "--admin-token-file", "/admin/rollback", "--bootstrap-servers", "-X", "Exit codes"}) {
      assertTrue(help.contains(text), text + " missing from --help:\n" + help);
    }
  }

  @Test
  void shouldNeedAModelAndAPublicKey() {
    assertEquals(2, run("--bootstrap-servers", "x:1"));
    assertTrue(err.toString().contains("--model"), err.toString());
    assertTrue(err.toString().contains("--public-key"), err.toString());
    assertTrue(err.toString().contains("Usage:"), err.toString());
  }

  @Test
  void shouldRejectAThresholdOutsideZeroToOne() {
    assertEquals(2, runValid("--cascade-threshold", "1.5"));
    assertTrue(err.toString().contains("--cascade-threshold must be 'calibrated' (each version's own) or a probability"
        + " in [0, 1]"), err.toString());
  }

  @Test
  void shouldRejectANumberThatIsNotOne() {
    assertEquals(2, runValid("--sample-rate", "often"));
    assertTrue(err.toString().contains("--sample-rate"), err.toString());
  }

  @Test
  void shouldRejectABadTeacherTimeout() {
    assertEquals(2, runValid("--teacher-timeout", "soon"));
    assertTrue(err.toString().contains("--teacher-timeout must be a duration"), err.toString());
  }

  @Test
  void shouldRejectAFileThatIsNotAPublicKey() {
    assertEquals(2, run("--model", "m", "--public-key", dir.resolve("student.key").toString()));
    assertTrue(err.toString().contains("PUBLIC KEY"), err.toString());
  }

  @Test
  void shouldRejectAnEmptyAdminTokenFileWithoutShowingTokens() throws Exception {
    Files.writeString(dir.resolve("empty"), "  \n");
    assertEquals(2, runValid("--admin-token-file", dir.resolve("empty").toString()));
    assertTrue(err.toString().contains("--admin-token-file"), err.toString());
    assertEquals(2, runValid("--admin-token-file", dir.resolve("missing").toString()));
    assertTrue(err.toString().contains("cannot read"), err.toString());
  }

  @Test
  void shouldNotPrintTheTokenWhenAnotherOptionIsWrong() throws Exception {
    Files.writeString(dir.resolve("token"), "hunter2-token\n");
    assertEquals(2, runValid("--admin-token-file", dir.resolve("token").toString(), "--http-threads", "0"));
    assertTrue(err.toString().contains("--http-threads"), err.toString());
    assertFalse(err.toString().contains("hunter2") || out.toString().contains("hunter2"));
  }
}
