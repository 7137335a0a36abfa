package io.streamdistill.edge.feedback;

import io.streamdistill.schemas.InputEvent;

/**
 * Takes input events from the request path. {@link #offer} must return at once (no I/O, no
 * waiting): it is called by request threads.
 */
@FunctionalInterface
public interface FeedbackSink {
  /** Accepts the event for sending; false when it was dropped (queue full, closed). */
  boolean offer(InputEvent event);

  /** A sink that drops everything (a node without Kafka). */
  static FeedbackSink discarding() {
    return event -> false;
  }
}
