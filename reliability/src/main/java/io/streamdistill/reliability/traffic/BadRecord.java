package io.streamdistill.reliability.traffic;

/**
 * A record a service must refuse, with what kind of bad it is. Its key, {@code PREFIX/KIND/N}, comes
 * back in the dead letter, so that the audit knows which record each dead letter stands for.
 *
 * @param value the bytes, or null for a tombstone
 */
public record BadRecord(String kind, String key, byte[] value) {
  /** The kind in a key made by {@link #key}. */
  public static String kindOf(String key) {
    String[] parts = key.split("/", -1);
    return parts.length == 3 ? parts[1] : "(not a bad record)";
  }

  public static String key(String prefix, String kind, long n) {
    return prefix + "/" + kind + "/" + n;
  }
}
