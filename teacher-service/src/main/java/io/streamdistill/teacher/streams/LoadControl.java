package io.streamdistill.teacher.streams;

import io.streamdistill.schemas.InputEvent;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Which input events the teachers label: all, a sampled share, or only those an edge node flagged
 * as uncertain. The teacher's cost is cut on purpose, not by dropping load at random.
 *
 * <p>Sampling is by a hash of the event id, not by a random draw: an event reprocessed after a crash
 * is decided the same way, which exactly-once needs.
 */
public record LoadControl(Mode mode, double share) {

  public enum Mode {
    ALL,
    SAMPLE,
    UNCERTAIN
  }

  public LoadControl {
    if (mode == null) {
      throw new IllegalArgumentException("load control mode is missing");
    }
    if (mode == Mode.SAMPLE && !(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("--label-share must be in (0, 1] for --label sample, not " + share);
    }
  }

  public static LoadControl all() {
    return new LoadControl(Mode.ALL, 1.0);
  }

  /** From the command line: {@code all}, {@code sample} (with share) or {@code uncertain}. */
  public static LoadControl parse(String mode, double share) {
    try {
      return new LoadControl(Mode.valueOf(mode.toUpperCase(Locale.ROOT)), share);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("--label")) {
        throw e;
      }
      throw new IllegalArgumentException("--label must be all, sample or uncertain, not '" + mode + "'");
    }
  }

  /** Whether the teachers label this event. */
  public boolean selects(InputEvent event) {
    return switch (mode) {
      case ALL -> true;
      case UNCERTAIN -> event.getUncertain();
      case SAMPLE -> unitHash(event.getId()) < share;
    };
  }

  /** A deterministic value in [0, 1) from an id. */
  static double unitHash(String id) {
    CRC32 crc = new CRC32();
    crc.update(id.getBytes(StandardCharsets.UTF_8));
    return crc.getValue() / (double) (1L << 32);
  }
}
