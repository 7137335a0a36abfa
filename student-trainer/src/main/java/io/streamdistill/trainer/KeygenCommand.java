package io.streamdistill.trainer;

import io.streamdistill.config.Commands;
import io.streamdistill.student.SigningKeys;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./distill keygen}: makes the Ed25519 key pair the trainer signs versions with. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    version = "stream-distill student-trainer 0.1.0",
    description = {
      "Generates an Ed25519 key pair for signing student versions: DIR/student-signing.key (PKCS#8 PEM, mode 600;",
      "give it to the trainer) and DIR/student-signing.pub (X.509 PEM; give it to every edge node). Refuses to",
      "overwrite an existing key.",
      ""
    },
    footer = {"", "Exit codes: 0 written, 1 failed, 2 bad arguments.", "Example: ./distill keygen --out keys"})
public final class KeygenCommand implements Callable<Integer> {
  public static final String PRIVATE_FILE = "student-signing.key";
  public static final String PUBLIC_FILE = "student-signing.pub";

  @Spec
  private CommandSpec spec;

  @Option(names = "--out", defaultValue = "keys", paramLabel = "DIR",
      description = "Directory for the two files. Default: ${DEFAULT-VALUE}.")
  private Path out;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return Commands.withExitCodes(new KeygenCommand(), "keygen");
  }

  @Override
  public Integer call() throws Exception {
    Path privateFile = out.resolve(PRIVATE_FILE);
    Path publicFile = out.resolve(PUBLIC_FILE);
    if (Files.exists(privateFile) || Files.exists(publicFile)) {
      throw new IllegalStateException(privateFile + " or " + publicFile + " exists already; not overwriting a key");
    }
    KeyPair pair = SigningKeys.generate();
    SigningKeys.write(pair, privateFile, publicFile);
    PrintWriter printer = spec.commandLine().getOut();
    printer.printf("Wrote %s (private: keep it with the trainer) and %s (public: give it to edge nodes).%n"
        + "Key id: %s%n", privateFile, publicFile, SigningKeys.keyId(pair.getPublic()));
    printer.flush();
    return 0;
  }
}
