package io.streamdistill.serde.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Confluent's compatibility levels, as far as a registry checks a new schema against the latest. */
public enum CompatibilityLevel {
  NONE,
  BACKWARD,
  BACKWARD_TRANSITIVE,
  FORWARD,
  FORWARD_TRANSITIVE,
  FULL,
  FULL_TRANSITIVE;

  /**
   * Whether {@code candidate} may follow {@code existing}: BACKWARD means consumers using the
   * candidate can read data written with {@code existing}; FORWARD the other way round.
   */
  public boolean allows(Schema candidate, Schema existing) {
    return switch (this) {
      case NONE -> true;
      case BACKWARD, BACKWARD_TRANSITIVE -> canRead(candidate, existing);
      case FORWARD, FORWARD_TRANSITIVE -> canRead(existing, candidate);
      case FULL, FULL_TRANSITIVE -> canRead(candidate, existing) && canRead(existing, candidate);
    };
  }

  /** Whether the check applies to every earlier version, not only the latest. */
  public boolean transitive() {
    return name().endsWith("_TRANSITIVE");
  }

  static boolean canRead(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
  }
}
