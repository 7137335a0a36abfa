package io.streamdistill.teacher.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A directory that holds a teacher: its {@code teacher.json} and the files it names. Reading one
 * verifies the SHA-256 of every named file before anything is loaded: a model that is not the one
 * described is refused, never run.
 */
public final class TeacherDirectory {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** The kinds whose model is behind a server: their directory holds a teacher.json and no file to verify. */
  public static final Set<String> REMOTE_KINDS = Set.of("oip", "v1", "hf", "llm");

  private TeacherDirectory() {}

  /**
   * Refuses a directory that training would replace although it holds no teacher: a file, or a directory with
   * entries but no {@code teacher.json} (someone's data, not a teacher trained before). A missing or empty
   * directory, or a teacher directory (replaced whole by the new teacher), passes.
   *
   * @param flag the option that named it, for the message (e.g. {@code --out})
   * @throws IllegalArgumentException saying what is there and what to do instead
   */
  public static void requireReplaceable(Path dir, String flag) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(flag + " " + dir + " is a file, not a directory");
    }
    if (Files.isDirectory(dir) && !Files.isRegularFile(dir.resolve(TeacherDescriptor.FILE_NAME))) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(flag + " " + dir + " is a directory with files but no "
              + TeacherDescriptor.FILE_NAME + ": training replaces only teacher directories; name a new or empty"
              + " directory");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(flag + " " + dir + " cannot be read: " + e, e);
      }
    }
  }

  /**
   * Reads and verifies the descriptor of {@code dir}.
   *
   * @throws TeacherException naming the file and what is wrong with it
   */
  public static TeacherDescriptor read(Path dir) {
    Path file = dir.resolve(TeacherDescriptor.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new TeacherException("no " + TeacherDescriptor.FILE_NAME + " in " + dir + ": not a teacher directory. For"
          + " your own model there (an ONNX or TorchScript file, an exported HuggingFace text model), `./distill"
          + " import-teacher " + dir + "` writes one");
    }
    TeacherDescriptor descriptor;
    try {
      descriptor = JSON.readValue(file.toFile(), TeacherDescriptor.class);
    } catch (JsonProcessingException e) {
      // Not in Jackson's words (its classes, "REDACTED"): the descriptor's check or the JSON's fault, and where.
      String what = e.getCause() instanceof IllegalArgumentException invalid ? invalid.getMessage()
          : e.getOriginalMessage();
      throw new TeacherException("cannot read " + file + (e.getLocation() == null ? ""
          : " (line " + e.getLocation().getLineNr() + ")") + ": " + what, e);
    } catch (IOException | IllegalArgumentException e) {
      throw new TeacherException("cannot read " + file + ": " + e.getMessage(), e);
    }
    // A remote teacher (kinds oip, v1, hf: the model runs on an inference server) has no weights here to verify;
    // every other kind must name its files, so that nothing unverified is ever loaded.
    if (descriptor.files().isEmpty() && !REMOTE_KINDS.contains(descriptor.kind())) {
      throw new TeacherException(file + " lists no files with their sha256: refusing to load an unverified model");
    }
    for (Map.Entry<String, String> entry : descriptor.files().entrySet()) {
      Path weights = dir.resolve(entry.getKey()).normalize();
      if (!weights.startsWith(dir.normalize())) {
        throw new TeacherException(file + " names a file outside its directory: " + entry.getKey());
      }
      if (!Files.isRegularFile(weights)) {
        throw new TeacherException(file + " names " + entry.getKey() + ", which is missing from " + dir);
      }
      String actual = sha256(weights);
      if (!actual.equalsIgnoreCase(entry.getValue())) {
        throw new TeacherException("sha256 of " + weights + " is " + actual + ", but " + file + " says "
            + entry.getValue() + ": the model was changed or damaged; refusing to load it");
      }
    }
    return descriptor;
  }

  /** Writes {@code descriptor} with the SHA-256 of each of {@code files} (names relative to dir). */
  public static TeacherDescriptor write(Path dir, TeacherDescriptor descriptor, Iterable<String> files) {
    Map<String, String> hashes = new TreeMap<>();
    for (String name : files) {
      hashes.put(name, sha256(dir.resolve(name)));
    }
    TeacherDescriptor withHashes = new TeacherDescriptor(descriptor.id(), descriptor.version(), descriptor.kind(),
        descriptor.classes(), descriptor.input(), descriptor.vectorWidth(), descriptor.embeddingWidth(), hashes,
        descriptor.metrics(), descriptor.options());
    try {
      JSON.writeValue(dir.resolve(TeacherDescriptor.FILE_NAME).toFile(), withHashes);
    } catch (IOException e) {
      throw new TeacherException("cannot write " + dir.resolve(TeacherDescriptor.FILE_NAME), e);
    }
    return withHashes;
  }

  /** Lower-case hex SHA-256 of a file. */
  public static String sha256(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new TeacherException("cannot read " + file + " to hash it", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
