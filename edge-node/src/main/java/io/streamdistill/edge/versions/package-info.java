/**
 * Student versions on an edge node: each one is verified (trusted key, Ed25519 signature, SHA-256
 * of the weights, spec and weights that fit) before anything of it is used, held in memory for
 * rollback, and swapped in atomically as an immutable {@link io.streamdistill.edge.versions.Serving}
 * snapshot, so that requests never wait for or fail on a swap.
 *
 * <p>{@link io.streamdistill.edge.versions.VersionHolder} is the whole policy (replays, pins,
 * rollbacks, what is served) and needs no broker; {@link
 * io.streamdistill.edge.versions.KafkaVersionFollower} feeds it from the student-models topic and
 * {@link io.streamdistill.edge.versions.KafkaDeploymentPublisher} reports what happened to the
 * deployments topic.
 */
package io.streamdistill.edge.versions;
