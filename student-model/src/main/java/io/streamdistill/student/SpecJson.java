package io.streamdistill.student;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link StudentSpec}, as carried in {@code StudentModelVersion.architecture}:
 *
 * <pre>
 * {"kind":"mlp","classes":["0",...,"9"],"inputSize":784,"hidden":[800,800]}
 * {"kind":"hashed-ngram","classes":["ham","spam"],"embeddingDim":16,
 *  "featurizer":{"buckets":262144,"wordNgrams":2,"charMin":3,"charMax":4,"lowercase":true,"maxTokens":500}}
 * </pre>
 *
 * Reading is strict: a missing or wrong field is an {@link IllegalArgumentException} that names it.
 */
final class SpecJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SpecJson() {}

  static String write(StudentSpec spec) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("kind", spec.kind());
    ArrayNode classes = root.putArray("classes");
    spec.classes().forEach(classes::add);
    if (spec instanceof MlpSpec mlp) {
        root.put("inputSize", mlp.inputSize());
        ArrayNode hidden = root.putArray("hidden");
        mlp.hidden().forEach(hidden::add);
    } else if (spec instanceof NgramSpec ngram) {
        root.put("embeddingDim", ngram.embeddingDim());
        NgramFeaturizer.Settings s = ngram.featurizer();
        ObjectNode featurizer = root.putObject("featurizer");
        featurizer.put("buckets", s.buckets());
        featurizer.put("wordNgrams", s.wordNgrams());
        featurizer.put("charMin", s.charMin());
        featurizer.put("charMax", s.charMax());
        featurizer.put("lowercase", s.lowercase());
        featurizer.put("maxTokens", s.maxTokens());
    }
    return root.toString();
  }

  static StudentSpec read(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("architecture is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("architecture must be a JSON object");
    }
    String kind = text(root, "kind");
    List<String> classes = new ArrayList<>();
    for (JsonNode c : array(root, "classes")) {
      classes.add(c.asText());
    }
    return switch (kind) {
      case "mlp" -> {
        List<Integer> hidden = new ArrayList<>();
        for (JsonNode h : array(root, "hidden")) {
          hidden.add(integer(h, "hidden[]"));
        }
        yield new MlpSpec(classes, integer(root.get("inputSize"), "inputSize"), hidden);
      }
      case "hashed-ngram" -> {
        JsonNode f = root.get("featurizer");
        if (f == null || !f.isObject()) {
          throw new IllegalArgumentException("architecture: 'featurizer' must be an object");
        }
        JsonNode lowercase = f.get("lowercase");
        if (lowercase == null || !lowercase.isBoolean()) {
          throw new IllegalArgumentException("architecture: 'featurizer.lowercase' must be true or false");
        }
        var settings = new NgramFeaturizer.Settings(integer(f.get("buckets"), "featurizer.buckets"),
            integer(f.get("wordNgrams"), "featurizer.wordNgrams"), integer(f.get("charMin"), "featurizer.charMin"),
            integer(f.get("charMax"), "featurizer.charMax"), lowercase.booleanValue(),
            integer(f.get("maxTokens"), "featurizer.maxTokens"));
        yield new NgramSpec(classes, settings, integer(root.get("embeddingDim"), "embeddingDim"));
      }
      default -> throw new IllegalArgumentException("architecture: unknown kind '" + kind
          + "' (known: mlp, hashed-ngram)");
    };
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("architecture: '" + field + "' must be a string");
    }
    return value.asText();
  }

  private static JsonNode array(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new IllegalArgumentException("architecture: '" + field + "' must be an array");
    }
    return value;
  }

  private static int integer(JsonNode value, String field) {
    if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("architecture: '" + field + "' must be an integer");
    }
    return value.intValue();
  }
}
