package io.streamdistill.config;

import java.util.List;

/** Lists of names (classes, columns) in messages: long ones cut, so a line stays a line. */
public final class NameLists {
  /** How many names a message shows by default before it says how many more there are. */
  public static final int SHOWN = 12;

  private NameLists() {}

  /** {@code "[a, b, c]"}, or {@code "[a, b, ..., l, ... (138 more)]"} past {@link #SHOWN} names. */
  public static String bracketed(List<?> names) {
    return "[" + abbreviate(names, SHOWN) + "]";
  }

  /** {@code "a, b, c"}, or the first {@code shown} names and {@code ", ... (N more)"}. */
  public static String abbreviate(List<?> names, int shown) {
    if (shown < 1) {
      throw new IllegalArgumentException("shown must be positive, got " + shown);
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(shown, names.size()); i++) {
      s.append(i == 0 ? "" : ", ").append(names.get(i));
    }
    return names.size() <= shown ? s.toString() : s + ", ... (" + (names.size() - shown) + " more)";
  }
}
