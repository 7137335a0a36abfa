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

  private EventAttributes() {}

  /** The example {@code event} replays: {@link #EXAMPLE} when set, else the event's own id. */
  public static String exampleId(InputEvent event) {
    Map<String, String> attributes = event.getAttributes();
    String example = attributes == null ? null : attributes.get(EXAMPLE);
    return example == null || example.isEmpty() ? event.getId() : example;
  }
}
