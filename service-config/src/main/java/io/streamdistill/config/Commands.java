package io.streamdistill.config;

import picocli.CommandLine;

/**
 * The exit codes every command of the project keeps: 0 success, 1 a failure while running (a
 * broker that cannot be reached, a missing setting), 2 bad arguments (picocli's own usage errors,
 * and an {@link IllegalArgumentException} from a command's validation), with a one-line message
 * that starts with the command's name.
 */
public final class Commands {
  /**
   * The width of every command's {@code --help}: the descriptions and footers are written in lines of up
   * to this many characters, which picocli's default of 80 would break in the middle.
   */
  public static final int HELP_WIDTH = 120;

  private Commands() {}

  /** {@code cli} with the project's help width, for a command that handles its own errors. */
  public static CommandLine withHelpWidth(CommandLine cli) {
    return cli.setUsageHelpWidth(HELP_WIDTH);
  }

  /** A picocli command line for {@code command}, whose name in messages is {@code name}. */
  public static CommandLine withExitCodes(Object command, String name) {
    CommandLine cli = withHelpWidth(new CommandLine(command));
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
