package io.streamdistill.teacher.generic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import io.streamdistill.teacher.model.TeacherDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeNativesTest {
  private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");

  @TempDir
  Path temp;

  @Test
  void shouldUnpackTheJarsLibrariesOnceAndWriteAgainOneThatChanged() throws Exception {
    Path dir = OnnxRuntimeNatives.unpack(temp).orElseThrow();
    assertEquals(temp, dir.getParent());
    assertTrue(dir.getFileName().toString().matches("onnxruntime-[0-9a-f]{8}"), dir.toString());
    for (String library : LIBRARIES) {
      assertEquals(jarSha256(library), TeacherDirectory.sha256(dir.resolve(OnnxRuntimeNatives.fileName(library))));
    }
    Path jni = dir.resolve(OnnxRuntimeNatives.fileName("onnxruntime4j_jni"));
    FileTime written = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(jni, written);

    assertEquals(dir, OnnxRuntimeNatives.unpack(temp).orElseThrow());
    assertEquals(written, Files.getLastModifiedTime(jni), "a library already there is kept");

    byte[] changed = Files.readAllBytes(jni);
    changed[changed.length / 2] ^= 1;
    Files.write(jni, changed);
    assertEquals(dir, OnnxRuntimeNatives.unpack(temp).orElseThrow());
    assertEquals(jarSha256("onnxruntime4j_jni"), TeacherDirectory.sha256(jni),
        "a library that differs from the jar's is written again");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(Set.of(OnnxRuntimeNatives.fileName("onnxruntime"), OnnxRuntimeNatives.fileName("onnxruntime4j_jni")),
          files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()), "no partial file left");
    }
  }

  @Test
  void shouldLeaveNoLibraryInTheTemporaryDirectoryOfAKilledProcess() throws Exception {
    // ONNX Runtime's own way, for contrast: the killed process leaves its 20 MB behind.
    Path defaultTmp = Files.createDirectory(temp.resolve("tmp-default"));
    killAfterLoading("default", defaultTmp, temp.resolve("unused-cache"));
    assertFalse(librariesUnder(defaultTmp).isEmpty(), "ONNX Runtime's default extraction, killed, leaves its files");

    Path cachedTmp = Files.createDirectory(temp.resolve("tmp-cached"));
    Path cache = temp.resolve("cache");
    String said = killAfterLoading("cache", cachedTmp, cache);
    assertTrue(said.startsWith("loaded from " + cache.resolve("native").resolve("onnxruntime-")), said);
    assertEquals(List.of(), librariesUnder(cachedTmp), "libraries left in the killed process's temporary directory");
    assertEquals(2, librariesUnder(cache.resolve("native")).size());
  }

  /**
   * Starts {@link LoadAndWait}, waits for it to have loaded ONNX Runtime, and kills it (SIGKILL).
   *
   * @return the line in which it said where it loaded the libraries from
   */
  private static String killAfterLoading(String mode, Path tmp, Path cache) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmp, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        LoadAndWait.class.getName(), mode).redirectErrorStream(true);
    builder.environment().put("DISTILL_CACHE_DIR", cache.toString());
    Process process = builder.start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      StringBuilder seen = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        seen.append(line).append('\n');
        if (line.startsWith("loaded")) {
          process.destroyForcibly();
          assertTrue(process.waitFor(30, TimeUnit.SECONDS));
          return line;
        }
      }
      throw new AssertionError("the child ended before loading ONNX Runtime:\n" + seen);
    } finally {
      process.destroyForcibly();
    }
  }

  private static List<Path> librariesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".so")).toList();
    }
  }

  private static String jarSha256(String library) throws Exception {
    String name = "/ai/onnxruntime/native/" + OnnxRuntimeNatives.platform() + "/"
        + OnnxRuntimeNatives.fileName(library);
    try (InputStream in = OnnxRuntimeNativesTest.class.getResourceAsStream(name)) {
      assertNotNull(in, name);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
    }
  }

  /** A process that starts DJL's ONNX Runtime engine as the teacher loaders do, says so, and waits to be killed. */
  public static final class LoadAndWait {
    private LoadAndWait() {}

    public static void main(String[] args) throws Exception {
      if (args[0].equals("cache")) {
        OnnxRuntimeNatives.useCache();
      }
      Engine.getEngine(OnnxRuntimeNatives.ENGINE);
      System.out.println("loaded from " + System.getProperty(OnnxRuntimeNatives.PATH_PROPERTY));
      System.out.flush();
      Thread.sleep(60_000);
    }
  }
}
