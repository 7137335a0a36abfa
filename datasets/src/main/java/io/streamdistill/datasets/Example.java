package io.streamdistill.datasets;

import java.util.Map;
import java.util.Objects;

/**
 * One example of a data set, before it becomes an input event: a stable id, its payload (a text, a
 * dense vector, a structured record of named fields, or more than one of them) and the
 * ground-truth label if the source has one.
 *
 * @param id stable within the source (e.g. {@code mnist-train-00042}); becomes the event id
 * @param text the text payload, or null
 * @param vector the dense payload, or null; not copied, callers must not change it
 * @param fields the structured payload, or null: field name to a {@link Double} (numeric), a {@link
 *     String} (categorical) or null (missing); not copied, callers must not change it
 * @param label the class name, or null when the source has no label for it
 */
public record Example(String id, String text, float[] vector, Map<String, Object> fields, String label) {
  public Example {
    Objects.requireNonNull(id, "id");
    if (text == null && vector == null && fields == null) {
      throw new IllegalArgumentException("example " + id + " has no payload: neither text, vector nor fields");
    }
  }

  /** An example with a text and/or a vector payload. */
  public Example(String id, String text, float[] vector, String label) {
    this(id, text, vector, null, label);
  }

  /** An example with a structured payload only. */
  public static Example ofFields(String id, Map<String, Object> fields, String label) {
    return new Example(id, null, null, Objects.requireNonNull(fields, "fields"), label);
  }
}
