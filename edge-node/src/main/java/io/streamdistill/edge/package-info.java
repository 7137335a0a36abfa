/**
 * The edge node as a library: a student in the request path, in plain Java (no DJL, no native
 * code), kept current from Kafka, with a cascade to the teacher for the requests it is unsure of.
 *
 * <p>A proxy embeds an {@link io.streamdistill.edge.EdgeNode}, built from one {@link
 * io.streamdistill.edge.EdgeConfig}:
 *
 * <pre>{@code
 * EdgeConfig config = EdgeConfig.defaults("gateway-7", "mail-ngram", List.of(SigningKeys.readPublic(key)))
 *     .withClientConfig(Map.of("bootstrap.servers", "kafka:9092", "schema.registry.url", "http://registry:8081"))
 *     .withCascade(0.9, URI.create("http://teacher:8090/predict"), Duration.ofMillis(200));
 * try (EdgeNode node = EdgeNode.start(config, meterRegistry)) {
 *   EdgeAnswer answer = node.predict(StudentInput.ofText(mail)); // NotServingException until a version is loaded
 * }
 * }</pre>
 *
 * <p>Subpackages: {@code versions} (verify, hold, swap, pin and roll back student versions; the
 * Kafka follower and the deployment events), {@code cascade} (the teacher's HTTP endpoint), {@code
 * feedback} (sampled and uncertain traffic back to input-events) and {@code service} (the
 * standalone HTTP service and its command, {@code ./distill edge}).
 */
package io.streamdistill.edge;
