package io.streamdistill.config;

import java.util.Map;
import org.slf4j.Logger;

/**
 * PyTorch's CPU kernels run on GNU OpenMP threads, which by default spin for a while after each
 * parallel region instead of sleeping. Between two model calls a service does Kafka work (decoding,
 * producing, committing) on the same cores, and the spinning workers take a core from it: on two
 * cores the teacher service labelled 6,963 MNIST events per second with
 * {@code OMP_WAIT_POLICY=PASSIVE} against 4,378 without, back to back, and raw inference was no
 * slower. OpenMP reads the variable when
 * the native library loads, so it must be in the process's environment: {@code ./distill}, the
 * container images and the test runs set it; a service started otherwise says so once.
 */
public final class OpenMpWaitPolicy {
  public static final String VARIABLE = "OMP_WAIT_POLICY";

  private OpenMpWaitPolicy() {}

  /** Logs a warning when the environment leaves OpenMP's wait policy to its spinning default. */
  public static void warnIfSpinning(Logger logger) {
    warnIfSpinning(logger, System.getenv());
  }

  static boolean warnIfSpinning(Logger logger, Map<String, String> environment) {
    if (environment.get(VARIABLE) != null) {
      return false;
    }
    logger.atWarn().addKeyValue("variable", VARIABLE).log("OMP_WAIT_POLICY is not set: PyTorch's OpenMP threads"
        + " spin between model calls and take CPU from the Kafka work; start the JVM with OMP_WAIT_POLICY=PASSIVE"
        + " (./distill does)");
    return true;
  }
}
