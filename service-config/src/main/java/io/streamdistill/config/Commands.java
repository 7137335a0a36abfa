package io.streamdistill.config;

import picocli.CommandLine;

/**
 * The exit codes every command of the project keeps: 0 success, 1 a failure while running (a
 * broker that cannot be reached, a missing setting), 2 bad arguments (picocli's own usage errors,
 * and an {@link IllegalArgumentException} from a command's validation), with a one-line message
 * that starts with the command's name.
 */
public final class Commands {
  private Commands() {}

  /** A picocli command line for {@code command}, whose name in messages is {@code name}. */
  public static CommandLine withExitCodes(Object command, String name) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println(name + ": " + e.getMessage());
      if (e instanceof IllegalArgumentException) {
        commandLine.getErr().println("Try './distill " + name + " --help'.");
        return 2;
      }
      return 1;
    });
    return cli;
  }
}
