package io.streamdistill.edge.versions;

import java.time.Instant;
import java.util.List;

/**
 * A node's versions at one moment, for {@code /health}, admin answers and tests.
 *
 * @param nodeId the node
 * @param modelName the model line it follows
 * @param caughtUp whether it has read the student-models topic to its end since it started
 * @param servedVersion the version served, or -1 when none is
 * @param pinned whether the served version is pinned
 * @param since when the served version started being served, or null
 * @param heldVersions the verified versions in memory (rollback targets), oldest first
 * @param lastRejection the reason the last rejected version was rejected, or null
 */
public record ServingStatus(String nodeId, String modelName, boolean caughtUp, long servedVersion, boolean pinned,
    Instant since, List<Long> heldVersions, String lastRejection) {
  public ServingStatus {
    heldVersions = List.copyOf(heldVersions);
  }

  public boolean serving() {
    return servedVersion >= 0;
  }
}
