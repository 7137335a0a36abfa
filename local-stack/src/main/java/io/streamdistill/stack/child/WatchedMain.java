package io.streamdistill.stack.child;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another program's main class under the {@link Watchdog}. Used for the schema registry,
 * whose runner jar we cannot change: {@code java -cp local-stack.jar:registry-runner.jar
 * io.streamdistill.stack.child.WatchedMain io.quarkus.runner.GeneratedMain ARGS...}.
 */
public final class WatchedMain {
  private WatchedMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: WatchedMain MAIN_CLASS [ARGS...]");
      System.exit(2);
    }
    Watchdog.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
