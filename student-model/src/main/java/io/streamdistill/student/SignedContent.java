package io.streamdistill.student;

import io.streamdistill.schemas.InputPosition;
import io.streamdistill.schemas.Lineage;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.TeacherRef;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes a version's signature covers: every field of the version but the weights themselves
 * (covered through {@code weightsSha256}) and the signature, in a fixed order and encoding that
 * does not depend on Avro's. Because the version number, model name and lineage are signed, an old
 * version replayed under a higher number fails verification.
 */
final class SignedContent {
  private static final String DOMAIN = "stream-distill/student-model-version/v1";

  private SignedContent() {}

  static byte[] of(StudentModelVersion version) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(DOMAIN);
      out.writeUTF(version.getModelName());
      out.writeLong(version.getVersion());
      out.writeLong(version.getCreatedAt().toEpochMilli());
      writeLong(out, version.getArchitecture());
      out.writeInt(version.getClasses().size());
      for (String c : version.getClasses()) {
        out.writeUTF(c);
      }
      out.writeUTF(version.getWeightsFormat());
      out.writeUTF(version.getWeightsSha256());
      Map<String, Double> metrics = new TreeMap<>(version.getMetrics());
      out.writeInt(metrics.size());
      for (var metric : metrics.entrySet()) {
        out.writeUTF(metric.getKey());
        out.writeDouble(metric.getValue());
      }
      Lineage lineage = version.getLineage();
      out.writeLong(lineage.getParentVersion() == null ? -1 : lineage.getParentVersion());
      out.writeInt(lineage.getTrainedThrough().size());
      for (InputPosition p : lineage.getTrainedThrough()) {
        out.writeUTF(p.getTopic());
        out.writeInt(p.getPartition());
        out.writeLong(p.getOffset());
      }
      out.writeInt(lineage.getTeachers().size());
      for (TeacherRef t : lineage.getTeachers()) {
        out.writeUTF(t.getTeacherId());
        out.writeUTF(t.getTeacherVersion());
      }
      out.writeUTF(version.getSigningKeyId());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** writeUTF is limited to 64 KB; the architecture may be longer. */
  private static void writeLong(DataOutputStream out, String text) throws IOException {
    byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }
}
