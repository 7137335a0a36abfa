package io.streamdistill.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One realistic instance of every record type, with every optional field set. */
public final class SampleRecords {
  private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

  private SampleRecords() {}

  public static InputEvent inputEvent() {
    return InputEvent.newBuilder()
        .setId("mnist-train-00042")
        .setTimestamp(T0)
        .setSource("mnist/train")
        .setKind(EventKind.OBSERVATION)
        .setText("Subject: win a prize\n\nclick here")
        .setVector(List.of(0.0f, 0.5f, 1.0f, 0.25f))
        .setLabel("7")
        .setUncertain(true)
        .setAttributes(Map.of("scenario", "omitted-3"))
        .build();
  }

  public static SoftLabel softLabel() {
    return SoftLabel.newBuilder()
        .setEvent(inputEvent())
        .setInput(new InputPosition(Topics.INPUT_EVENTS, 3, 1234L))
        .setClasses(List.of("ham", "spam"))
        .setTeachers(List.of(
            TeacherOutput.newBuilder()
                .setTeacherId("minilm-spam")
                .setTeacherVersion("sha256:abcd")
                .setLogits(List.of(-1.5f, 2.25f))
                .setEmbedding(List.of(0.1f, -0.2f, 0.3f))
                .build(),
            TeacherOutput.newBuilder()
                .setTeacherId("bge-spam")
                .setTeacherVersion("v2")
                .setLogits(List.of(-0.5f, 0.75f))
                .build()))
        .setLabelledAt(T0.plusMillis(20))
        .build();
  }

  public static StudentModelVersion studentModelVersion() {
    return StudentModelVersion.newBuilder()
        .setModelName("mail-ngram")
        .setVersion(17L)
        .setCreatedAt(T0)
        .setArchitecture("{\"kind\":\"hashed-ngram\",\"buckets\":262144}")
        .setClasses(List.of("ham", "spam"))
        .setWeightsFormat("f32-v1")
        .setWeights(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}))
        .setWeightsSha256("74f81fe167d99b4cb41d6d0ccda82278caee9f3e2f25d5e5a3936ff3dcec60d0")
        .setMetrics(Map.of("heldout.agreement", 0.97, "heldout.accuracy", 0.95))
        .setLineage(Lineage.newBuilder()
            .setParentVersion(16L)
            .setTrainedThrough(List.of(new InputPosition(Topics.SOFT_LABELS, 0, 5000L)))
            .setTeachers(List.of(new TeacherRef("minilm-spam", "sha256:abcd")))
            .build())
        .setSignature(ByteBuffer.wrap(new byte[64]))
        .setSigningKeyId("ed25519:0123")
        .build();
  }

  public static DeploymentEvent deploymentEvent() {
    return DeploymentEvent.newBuilder()
        .setNodeId("edge-1")
        .setModelName("mail-ngram")
        .setVersion(17L)
        .setStatus(DeploymentStatus.REJECTED)
        .setReason("signature does not verify with key ed25519:0123")
        .setPreviousVersion(16L)
        .setLoadMillis(12L)
        .setTimestamp(T0)
        .build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setService("teacher-service")
        .setReason("vector has 783 values, teacher mnist-mlp expects 784")
        .setErrorClass("java.lang.IllegalArgumentException")
        .setTopic(Topics.INPUT_EVENTS)
        .setPartition(0)
        .setOffset(99L)
        .setKey(ByteBuffer.wrap("k".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1, 42}))
        .setTimestamp(T0)
        .build();
  }

  /** One of each, with the topic each belongs on. */
  public static Map<String, SpecificRecord> oneOfEachByTopic() {
    return Map.of(
        Topics.INPUT_EVENTS, inputEvent(),
        Topics.SOFT_LABELS, softLabel(),
        Topics.STUDENT_MODELS, studentModelVersion(),
        Topics.DEPLOYMENTS, deploymentEvent(),
        Topics.DEAD_LETTERS, deadLetter());
  }
}
