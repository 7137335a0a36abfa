package io.streamdistill.student;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.schemas.WeightsDelta;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Versions as patches to their parent, so that a new version costs an edge node the weights that changed, not
 * all of them: the {@value #XOR_DEFLATE_V1} patch is the parent's weight bytes XOR the new ones, deflated. Bytes
 * that did not change are zeros, which deflate to almost nothing; the patch is exact (the full weights come back
 * byte for byte), for any weights format.
 *
 * <p>A delta is signed like a full version: the signature covers {@code weightsSha256}, the SHA-256 of the full
 * weights, so {@link VersionVerifier} checks what {@link #apply} rebuilt, and a tampered patch, a wrong base or a
 * patch applied out of order fails there with the reason. The patch is only the transport.
 *
 * <pre>{@code
 * StudentModelVersion wire = VersionDeltas.against(full, parent);   // null when a delta does not pay
 * StudentModelVersion again = VersionDeltas.apply(wire, parent);    // full weights; then verify it
 * }</pre>
 */
public final class VersionDeltas {
  /** Parent XOR new, deflated. */
  public static final String XOR_DEFLATE_V1 = "xor-deflate-v1";

  private VersionDeltas() {}

  /** Whether the version on the wire is a patch to another (its weights are then empty). */
  public static boolean isDelta(StudentModelVersion version) {
    return version.getWeightsDelta() != null;
  }

  /** The bytes a version costs on the wire: its weights, or its patch. */
  public static int wireWeightBytes(StudentModelVersion version) {
    return isDelta(version) ? version.getWeightsDelta().getPatch().remaining() : version.getWeights().remaining();
  }

  /**
   * {@code full} as a patch to {@code base}, or null when it cannot be one (another model, format or architecture,
   * weights of another length, a base that is itself a delta) or the patch is not under {@code maxShare} of the
   * full weights.
   */
  public static StudentModelVersion against(StudentModelVersion full, StudentModelVersion base, double maxShare) {
    if (base == null || isDelta(full) || isDelta(base) || !full.getModelName().equals(base.getModelName())
        || !full.getWeightsFormat().equals(base.getWeightsFormat())
        || !full.getArchitecture().equals(base.getArchitecture())) {
      return null;
    }
    byte[] weights = AvroValues.bytes(full.getWeights());
    byte[] baseWeights = AvroValues.bytes(base.getWeights());
    if (weights.length != baseWeights.length) {
      return null;
    }
    byte[] patch = xorDeflate(baseWeights, weights);
    if (patch.length > maxShare * weights.length) {
      return null;
    }
    return StudentModelVersion.newBuilder(full)
        .setWeights(ByteBuffer.allocate(0))
        .setWeightsDelta(new WeightsDelta(base.getVersion(), XOR_DEFLATE_V1, ByteBuffer.wrap(patch)))
        .build();
  }

  /**
   * The full version a delta stands for, rebuilt on {@code base} (its weights bytes as they were published).
   * Verify the result: only the signed SHA-256 says the patch was the published one.
   *
   * @throws VerificationException when the base is not the delta's, or the patch cannot be read or has the wrong
   *     length
   */
  public static StudentModelVersion apply(StudentModelVersion delta, StudentModelVersion base)
      throws VerificationException {
    WeightsDelta patch = delta.getWeightsDelta();
    String where = delta.getModelName() + " v" + delta.getVersion();
    if (patch == null) {
      return delta;
    }
    if (base == null || base.getVersion() != patch.getBaseVersion() || isDelta(base)
        || !base.getModelName().equals(delta.getModelName())) {
      throw new VerificationException(where + " is a delta against v" + patch.getBaseVersion() + ", which this node"
          + " does not hold" + (base == null ? "" : " (it holds v" + base.getVersion() + ")")
          + ": it waits for the next full version");
    }
    if (!XOR_DEFLATE_V1.equals(patch.getEncoding())) {
      throw new VerificationException(where + ": unknown delta encoding '" + patch.getEncoding() + "' (known: "
          + XOR_DEFLATE_V1 + ")");
    }
    byte[] baseWeights = AvroValues.bytes(base.getWeights());
    byte[] weights = inflateXor(baseWeights, AvroValues.bytes(patch.getPatch()), where);
    return StudentModelVersion.newBuilder(delta).setWeights(ByteBuffer.wrap(weights)).setWeightsDelta(null).build();
  }

  /**
   * Versions as read from the topic (in its order), each delta rebuilt on the version before it of the same
   * model; a delta that cannot be rebuilt stays as it is (verifying it then says why).
   */
  public static List<StudentModelVersion> rebuildAll(List<StudentModelVersion> inTopicOrder) {
    Map<String, StudentModelVersion> lastWhole = new HashMap<>();
    List<StudentModelVersion> rebuilt = new ArrayList<>(inTopicOrder.size());
    for (StudentModelVersion version : inTopicOrder) {
      StudentModelVersion whole = version;
      if (isDelta(version)) {
        try {
          whole = apply(version, lastWhole.get(version.getModelName()));
        } catch (VerificationException e) {
          rebuilt.add(version);
          continue;
        }
      }
      lastWhole.put(version.getModelName(), whole);
      rebuilt.add(whole);
    }
    return rebuilt;
  }

  static byte[] xorDeflate(byte[] base, byte[] next) {
    byte[] xor = new byte[next.length];
    for (int i = 0; i < next.length; i++) {
      xor[i] = (byte) (base[i] ^ next[i]);
    }
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(xor);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, next.length / 64));
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /** Inflates into exactly base.length bytes (never more: a patch cannot blow up memory) and XORs them in. */
  static byte[] inflateXor(byte[] base, byte[] patch, String where) throws VerificationException {
    byte[] weights = new byte[base.length];
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(patch);
      int n = 0;
      while (n < weights.length && !inflater.finished()) {
        int got = inflater.inflate(weights, n, weights.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += got;
      }
      if (n != weights.length || !inflater.finished()) {
        throw new VerificationException(where + ": the delta's patch does not give " + base.length
            + " bytes of weights (its base's length)");
      }
    } catch (DataFormatException e) {
      throw new VerificationException(where + ": the delta's patch is not deflated data: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
    for (int i = 0; i < weights.length; i++) {
      weights[i] ^= base[i];
    }
    return weights;
  }
}
