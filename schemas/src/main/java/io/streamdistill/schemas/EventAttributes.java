package io.streamdistill.schemas;

import java.util.Map;

/** The {@code InputEvent.attributes} the services write and read, by name. Stateless. */
public final class EventAttributes {
  /**
   * The id of the example an event replays, when the event's own id differs from it: a producer's
   * second and later passes over a data set send each example again under a new id ({@code
   * ID#PASS}, so that each send is an event of its own), and this names the example they share. The
   * trainer's held-out slice is drawn by example, so an example held out is held out in every pass.
   */
  public static final String EXAMPLE = "example";

  /**
   * The shape of the image an event's vector holds, {@code ROWSxCOLSxCHANNELS} (e.g. {@code 32x32x3}; the
   * vector is its channels' planes, each row by row), set by a producer that knows it (a folder of images,
   * IDX files). With it the trainer's {@code --student auto} picks a convolutional student, no flag needed.
   */
  public static final String IMAGE_SHAPE = "image-shape";

  private EventAttributes() {}

  /**
   * {@link #IMAGE_SHAPE}'s value for a data set's image shape ({@code [rows, cols]} in gray, {@code [channels,
   * rows, cols]} in colour); null when it is empty (not images).
   */
  public static String imageShape(int[] shape) {
    return switch (shape.length) {
      case 2 -> shape[0] + "x" + shape[1] + "x1";
      case 3 -> shape[1] + "x" + shape[2] + "x" + shape[0];
      default -> null;
    };
  }

  /** The example {@code event} replays: {@link #EXAMPLE} when set, else the event's own id. */
  public static String exampleId(InputEvent event) {
    Map<String, String> attributes = event.getAttributes();
    String example = attributes == null ? null : attributes.get(EXAMPLE);
    return example == null || example.isEmpty() ? event.getId() : example;
  }
}
