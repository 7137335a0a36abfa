package io.streamdistill.producers.source;

import java.util.Objects;

/**
 * One example of a data set, before it becomes an input event: a stable id, a text and/or a dense
 * vector, and the ground-truth label if the source has one.
 *
 * @param id stable within the source (e.g. {@code mnist-train-00042}); becomes the event id
 * @param text the text payload, or null
 * @param vector the dense payload, or null; not copied, callers must not change it
 * @param label the class name, or null when the source has no label for it
 */
public record Example(String id, String text, float[] vector, String label) {
  public Example {
    Objects.requireNonNull(id, "id");
    if (text == null && vector == null) {
      throw new IllegalArgumentException("example " + id + " has neither text nor vector");
    }
  }
}
