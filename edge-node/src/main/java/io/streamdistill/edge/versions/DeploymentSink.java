package io.streamdistill.edge.versions;

import io.streamdistill.schemas.DeploymentEvent;

/**
 * Where a node reports what happened to its versions (loaded, rejected, rolled back, pinned,
 * unpinned). Called from the follower and admin threads, never from a request; an implementation
 * must not throw and should not block for long.
 */
@FunctionalInterface
public interface DeploymentSink {
  void publish(DeploymentEvent event);

  /** A sink that forgets every event (a node without Kafka). */
  static DeploymentSink discarding() {
    return event -> {};
  }
}
