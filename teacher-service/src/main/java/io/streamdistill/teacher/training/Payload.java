package io.streamdistill.teacher.training;

import io.streamdistill.datasets.Example;
import java.util.Locale;

/** What the examples of a data set carry, which decides the teacher that train-teacher makes. */
public enum Payload {
  /** Text: a frozen pretrained sentence encoder plus a trained head. */
  TEXT,
  /** Dense vectors: an MLP over the standardised components. */
  VECTOR,
  /** Images (vectors with a known rows x cols shape): an MLP, or with {@code --model cnn} a small convolutional net. */
  IMAGE,
  /** Structured records of named numeric and categorical fields: an MLP over the featurized fields. */
  STRUCTURED;

  /**
   * The payload of one example: its fields when it has them, else its vector (an image when the data
   * set has an image shape), else its text.
   */
  static Payload of(Example example, boolean images) {
    if (example.fields() != null) {
      return STRUCTURED;
    }
    if (example.vector() != null) {
      return images ? IMAGE : VECTOR;
    }
    return TEXT;
  }

  /** The lower-case name, as printed and written in teacher.json. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
