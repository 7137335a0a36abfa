package io.streamdistill.reliability.traffic;

import io.streamdistill.schemas.AvroValues;
import io.streamdistill.schemas.StudentModelVersion;
import io.streamdistill.student.MlpSpec;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.student.VersionSigner;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Versions an edge node must reject, each in one way: tampered on the way (weights, hash, signature,
 * key, an old version replayed), or signed but unusable (truncated weights, an unknown format, a bad
 * spec). Each claims a number above the served version's, so that only verification stands between
 * it and the request path; the replay of the served version keeps its number.
 *
 * <p>Not thread-safe (one Random).
 */
public final class TamperedVersions {
  /** The kinds, named as they appear in the report. */
  public static final List<String> KINDS = List.of(
      "flipped-weight-byte", "swapped-weights", "wrong-hash", "flipped-signature-byte", "no-signature",
      "untrusted-key", "forged-key-id", "replay-under-higher-number", "replay-same-number", "truncated-weights",
      "unknown-weights-format", "bad-spec", "spec-weights-mismatch", "classes-mismatch", "other-model",
      "unreadable-record");

  /** What the edge reports as the version of a record it could not read at all. */
  public static final long UNREADABLE = -1;

  /**
   * A version the edge must reject: its kind of damage, the number it claims, and its record.
   *
   * @param number the version number the edge will name in its REJECTED event
   * @param value the record's bytes on the models topic
   */
  public record Tampered(String kind, long number, byte[] value) {}

  private final EdgeVersions versions;
  private final StudentModelVersion served;
  private final AvroBytes<StudentModelVersion> bytes;
  private final String topic;
  private final VersionSigner rogue = new VersionSigner(SigningKeys.generate());
  private final Random random;

  /**
   * Makes tampered versions of the one served.
   *
   * @param served the good version the node serves (replays are made of it)
   */
  public TamperedVersions(EdgeVersions versions, StudentModelVersion served, AvroBytes<StudentModelVersion> bytes,
      String topic, Random random) {
    this.versions = versions;
    this.served = served;
    this.bytes = bytes;
    this.topic = topic;
    this.random = random;
  }

  /** The {@code n}-th tampered version (kind KINDS[n % KINDS.size()]), claiming number {@code number}. */
  public Tampered next(int n, long number) {
    String kind = KINDS.get(n % KINDS.size());
    return switch (kind) {
      case "replay-same-number" -> new Tampered(kind, served.getVersion(), bytes.of(topic, served));
      case "unreadable-record" -> new Tampered(kind, UNREADABLE, n % 2 == 0 ? WireBytes.garbage(random, 2_000)
          : WireBytes.truncated(bytes.of(topic, versions.good(number)), random));
      default -> new Tampered(kind, number, bytes.of(topic, version(kind, number)));
    };
  }

  private StudentModelVersion version(String kind, long number) {
    StudentModelVersion good = versions.good(number);
    byte[] weights = AvroValues.bytes(good.getWeights());
    return switch (kind) {
      case "flipped-weight-byte" -> {
        byte[] flipped = weights.clone();
        flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        yield with(good).setWeights(ByteBuffer.wrap(flipped)).build();
      }
      // Another version's weights, a valid blob of the right shape: only the signed hash tells.
      case "swapped-weights" -> with(good)
          .setWeights(ByteBuffer.wrap(EdgeVersions.weights(number + 1).encode())).build();
      // A tamperer who changes the weights and their hash: the signature covers the hash.
      case "wrong-hash" -> {
        byte[] other = EdgeVersions.weights(number + 7).encode();
        yield with(good).setWeights(ByteBuffer.wrap(other)).setWeightsSha256(SigningKeys.sha256Hex(other)).build();
      }
      case "flipped-signature-byte" -> {
        byte[] signature = AvroValues.bytes(good.getSignature()).clone();
        signature[random.nextInt(signature.length)] ^= (byte) (1 << random.nextInt(8));
        yield with(good).setSignature(ByteBuffer.wrap(signature)).build();
      }
      case "no-signature" -> with(good).setSignature(ByteBuffer.allocate(0)).build();
      case "untrusted-key" -> rogue.sign(good);
      // Signed by a key the node does not trust, claiming the trusted key's id.
      case "forged-key-id" -> with(rogue.sign(good)).setSigningKeyId(versions.signer().keyId()).build();
      // The served version, renumbered: its signature covers its number.
      case "replay-under-higher-number" -> with(served).setVersion(number).build();
      case "truncated-weights" -> versions.signer().sign(with(good)
          .setWeights(ByteBuffer.wrap(Arrays.copyOf(weights, weights.length - 1 - random.nextInt(64)))).build());
      case "unknown-weights-format" -> versions.signer().sign(with(good).setWeightsFormat("f16-v9").build());
      case "bad-spec" -> versions.signer().sign(with(good).setArchitecture(badSpec()).build());
      case "spec-weights-mismatch" -> versions.signer().sign(with(good)
          .setArchitecture(new MlpSpec(MnistTraffic.DIGITS, 784, List.of(32)).toJson()).build());
      case "classes-mismatch" -> versions.signer().sign(with(good)
          .setClasses(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")).build());
      case "other-model" -> versions.signer().sign(with(good).setModelName("someone-elses-model").build());
      default -> throw new IllegalStateException("no tampered version of kind " + kind);
    };
  }

  private String badSpec() {
    String spec = EdgeVersions.SPEC.toJson();
    return switch (random.nextInt(4)) {
      case 0 -> spec.substring(0, spec.length() / 2);
      case 1 -> spec.replace("\"mlp\"", "\"transformer\"");
      case 2 -> spec.replace("784", "-784");
      default -> "";
    };
  }

  private static StudentModelVersion.Builder with(StudentModelVersion version) {
    return StudentModelVersion.newBuilder(version);
  }
}
