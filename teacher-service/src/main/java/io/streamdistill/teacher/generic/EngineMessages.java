package io.streamdistill.teacher.generic;

/**
 * Turns the errors of DJL's engines into one readable line. The engines wrap the native error two or
 * three times (TranslateException, EngineException, OrtException), each repeating it; libtorch adds
 * the TorchScript traceback, and ONNX Runtime spreads its message over several lines.
 */
final class EngineMessages {
  private static final int MAX_LENGTH = 600;

  private EngineMessages() {}

  static String of(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
    if (message.contains("Traceback of TorchScript")) {
      // The traceback shows the source line; the last line says what went wrong there.
      String[] lines = message.split("\\R", -1);
      for (int i = lines.length - 1; i >= 0; i--) {
        if (!lines[i].isBlank()) {
          message = lines[i].strip();
          break;
        }
      }
    }
    message = message.replaceAll("\\s*\\R\\s*", " ");
    return message.length() <= MAX_LENGTH ? message : message.substring(0, MAX_LENGTH) + " ...";
  }
}
