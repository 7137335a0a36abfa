package io.streamdistill.datasets;

/**
 * The type of one field of a structured record, the same for every example of a source: its
 * values are {@link Double}s (numeric) or {@link String}s (categorical), or null when missing.
 */
public enum FieldType {
  /** Finite numbers, as {@link Double}. */
  NUMERIC,
  /** Categories, as {@link String}, numbers among them kept as written. */
  CATEGORICAL
}
