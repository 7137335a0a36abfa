package io.streamdistill.teacher.generic;

import io.streamdistill.datasets.DatasetCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's native libraries, unpacked once per machine into the cache rather than once per process into
 * the temporary directory.
 *
 * <p>ONNX Runtime's Java binding (1.21, under DJL's engine) copies its two libraries (20 MB) out of its jar into a
 * new {@code onnxruntime-java*} directory of {@code java.io.tmpdir} at every start, and only asks the JVM to
 * delete them at exit: a process that is killed (SIGKILL, the OOM killer, a container's grace period run out)
 * leaves its 20 MB behind. A teacher service restarted by a supervisor fills {@code /tmp} that way. With the
 * system property {@value #PATH_PROPERTY} set, ONNX Runtime loads them from that directory instead, and only its
 * empty temporary directory is made.
 *
 * <p>{@link #useCache()} unpacks them to {@code <cache>/native/onnxruntime-<crc>} ({@code <cache>} as
 * {@link DatasetCache#defaultDirectory()}: {@code $DISTILL_CACHE_DIR} or {@code ~/.cache/stream-distill}), compares
 * each file with the jar's own, byte for byte, at every start (a file that differs is written again, so nothing
 * loads a library it has not verified), and sets the property, unless it is set already (the user's own
 * libraries). Where the cache cannot be written, it logs why and leaves ONNX Runtime to its own way.
 * Thread-safe; call it before the first use of DJL's {@code OnnxRuntime} engine.
 */
public final class OnnxRuntimeNatives {
  /** ONNX Runtime's system property: the directory it loads its native libraries from. */
  public static final String PATH_PROPERTY = "onnxruntime.native.path";
  /** DJL's name of the engine that runs on ONNX Runtime. */
  public static final String ENGINE = "OnnxRuntime";

  private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");
  private static final Logger LOGGER = LoggerFactory.getLogger(OnnxRuntimeNatives.class);
  private static boolean prepared;

  private OnnxRuntimeNatives() {}

  /** {@link #useCache()} when {@code engineName} is DJL's ONNX Runtime engine's; nothing for another engine. */
  public static void prepareFor(String engineName) {
    if (ENGINE.equals(engineName)) {
      useCache();
    }
  }

  /** Unpacks the libraries into the cache (once per process) and points ONNX Runtime at them. */
  public static synchronized void useCache() {
    if (prepared) {
      return;
    }
    prepared = true;
    if (System.getProperty(PATH_PROPERTY) != null) {
      return;
    }
    Path base = DatasetCache.defaultDirectory().resolve("native");
    try {
      unpack(base).ifPresent(dir -> System.setProperty(PATH_PROPERTY, dir.toString()));
    } catch (IOException | RuntimeException e) {
      LOGGER.warn("ONNX Runtime unpacks its native libraries into {} as it does by default: cannot use {} ({})",
          System.getProperty("java.io.tmpdir"), base, e.toString());
    }
  }

  /**
   * Writes the libraries this platform's jar holds into {@code base/onnxruntime-<crc>}, where {@code <crc>} is
   * their CRC-32 (a name per build of ONNX Runtime), unless a file there holds exactly their bytes already.
   *
   * @return the directory, or empty when the class path holds no ONNX Runtime libraries for this platform
   */
  static Optional<Path> unpack(Path base) throws IOException {
    List<byte[]> libraries = new ArrayList<>();
    CRC32 checksum = new CRC32();
    for (String library : LIBRARIES) {
      byte[] bytes = resource(library);
      if (bytes == null) {
        return Optional.empty();
      }
      libraries.add(bytes);
      checksum.update(bytes);
    }
    Path dir = base.resolve(String.format(Locale.ROOT, "onnxruntime-%08x", checksum.getValue()));
    Files.createDirectories(dir);
    for (int i = 0; i < LIBRARIES.size(); i++) {
      Path file = dir.resolve(fileName(LIBRARIES.get(i)));
      if (!holds(file, libraries.get(i))) {
        write(file, libraries.get(i));
      }
    }
    return Optional.of(dir);
  }

  /** The directory name ONNX Runtime's jar keeps this platform's libraries under ({@code linux-x64}). */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
    String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
        : arch.equals("arm64") ? "aarch64" : arch;
    return osPart + "-" + archPart;
  }

  static String fileName(String library) {
    return System.mapLibraryName(library).replace(".jnilib", ".dylib");
  }

  private static byte[] resource(String library) throws IOException {
    String name = "/ai/onnxruntime/native/" + platform() + "/" + fileName(library);
    try (InputStream in = OnnxRuntimeNatives.class.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static boolean holds(Path file, byte[] bytes) throws IOException {
    return Files.isRegularFile(file) && Files.size(file) == bytes.length
        && Arrays.equals(Files.readAllBytes(file), bytes);
  }

  /** Under a temporary name, then renamed: another process never loads half a library. */
  private static void write(Path file, byte[] bytes) throws IOException {
    Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".partial");
    try {
      Files.write(temp, bytes);
      try {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
