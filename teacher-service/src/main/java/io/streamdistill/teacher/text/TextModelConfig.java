package io.streamdistill.teacher.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HuggingFace {@code config.json} of an exported model, as far as a teacher needs it: the class
 * names, from {@code id2label} ({@code {"0": "ham", "1": "spam"}}), in the order of the logits.
 * Everything else in the file is left alone. Stateless.
 */
public final class TextModelConfig {
  /** The file's name in an export directory. */
  public static final String FILE_NAME = "config.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TextModelConfig() {}

  /**
   * The class names in {@code file}'s {@code id2label}, by index, or an empty list when it has none.
   *
   * @throws TeacherException when the file cannot be read, or its ids are not 0..n-1
   */
  public static List<String> labels(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new TeacherException("cannot read " + file + ": " + e.getMessage(), e);
    }
    JsonNode id2label = root == null ? null : root.get("id2label");
    if (id2label == null || !id2label.isObject() || id2label.isEmpty()) {
      return List.of();
    }
    Map<Integer, String> byIndex = new TreeMap<>();
    for (Map.Entry<String, JsonNode> entry : id2label.properties()) {
      try {
        byIndex.put(Integer.parseInt(entry.getKey().trim()), entry.getValue().asText());
      } catch (NumberFormatException e) {
        throw new TeacherException(file + ": id2label has the key '" + entry.getKey() + "', not a class index");
      }
    }
    List<String> labels = new ArrayList<>(byIndex.values());
    int expected = 0;
    for (int index : byIndex.keySet()) {
      if (index != expected++) {
        throw new TeacherException(file + ": id2label's ids are " + byIndex.keySet() + ", not 0.."
            + (labels.size() - 1));
      }
    }
    return labels;
  }

  /**
   * Writes a config.json naming {@code classes} in {@code id2label} and {@code label2id}, as
   * transformers writes for a classifier, plus {@code extra} top-level string entries.
   */
  public static void write(Path file, List<String> classes, Map<String, String> extra) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode id2label = root.putObject("id2label");
    ObjectNode label2id = root.putObject("label2id");
    for (int i = 0; i < classes.size(); i++) {
      id2label.put(Integer.toString(i), classes.get(i));
      label2id.put(classes.get(i), i);
    }
    extra.forEach(root::put);
    try {
      Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new TeacherException("cannot write " + file + ": " + e, e);
    }
  }
}
