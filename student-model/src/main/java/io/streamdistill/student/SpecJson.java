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
 * {"kind":"fields-mlp","classes":["normal","attack"],"inputSize":7,"hidden":[64],
 *  "fields":{"numeric":[{"name":"bytes","log":true,"mean":4.2,"sd":1.9}],
 *            "categorical":[{"name":"proto","values":["tcp","udp","icmp"]},{"name":"flag","values":["SF"]}],
 *            "text":[{"name":"title","buckets":1024}]}}
 * {"kind":"cnn","classes":["cat","dog"],"channels":3,"rows":32,"cols":32,"filters":[16,32],"hidden":[64],
 *  "inputShift":127.5,"inputScale":0.003921569}
 * {"kind":"hashed-ngram","classes":["ham","spam"],"embeddingDim":16,
 *  "featurizer":{"buckets":65536,"wordNgrams":2,"charMin":3,"charMax":4,"lowercase":true,"maxTokens":500,
 *                "cjkCharacters":true}}
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
      if (mlp.fields() != null) {
        root.set("fields", writeFields(mlp.fields()));
      }
    } else if (spec instanceof ConvSpec conv) {
      root.put("channels", conv.channels());
      root.put("rows", conv.rows());
      root.put("cols", conv.cols());
      conv.filters().forEach(root.putArray("filters")::add);
      conv.hidden().forEach(root.putArray("hidden")::add);
      root.put("inputShift", conv.inputShift());
      root.put("inputScale", conv.inputScale());
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
      if (s.cjkCharacters()) {
        // Written only when set: a spec from before the setting reads back, and writes, as it was.
        featurizer.put("cjkCharacters", true);
      }
    }
    return root.toString();
  }

  static ObjectNode writeFields(FieldSpec fields) {
    ObjectNode node = MAPPER.createObjectNode();
    ArrayNode numeric = node.putArray("numeric");
    for (FieldSpec.NumericField f : fields.numeric()) {
      numeric.addObject().put("name", f.name()).put("log", f.log()).put("mean", f.mean()).put("sd", f.sd());
    }
    ArrayNode categorical = node.putArray("categorical");
    for (FieldSpec.CategoricalField f : fields.categorical()) {
      ObjectNode field = categorical.addObject().put("name", f.name());
      ArrayNode values = field.putArray("values");
      f.values().forEach(values::add);
    }
    if (!fields.text().isEmpty()) {
      ArrayNode text = node.putArray("text");
      for (FieldSpec.TextField f : fields.text()) {
        text.addObject().put("name", f.name()).put("buckets", f.buckets());
      }
    }
    return node;
  }

  static FieldSpec readFields(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("architecture: '" + where + "' must be an object");
    }
    List<FieldSpec.NumericField> numeric = new ArrayList<>();
    int i = 0;
    for (JsonNode f : array(node, "numeric", where + ".numeric")) {
      String at = where + ".numeric[" + i++ + "]";
      JsonNode log = f.get("log");
      if (log == null || !log.isBoolean()) {
        throw new IllegalArgumentException("architecture: '" + at + ".log' must be true or false");
      }
      numeric.add(new FieldSpec.NumericField(text(f, "name", at + ".name"), log.booleanValue(),
          number(f.get("mean"), at + ".mean"), number(f.get("sd"), at + ".sd")));
    }
    List<FieldSpec.CategoricalField> categorical = new ArrayList<>();
    i = 0;
    for (JsonNode f : array(node, "categorical", where + ".categorical")) {
      String at = where + ".categorical[" + i++ + "]";
      List<String> values = new ArrayList<>();
      for (JsonNode v : array(f, "values", at + ".values")) {
        if (!v.isTextual()) {
          throw new IllegalArgumentException("architecture: '" + at + ".values[]' must be strings");
        }
        values.add(v.asText());
      }
      categorical.add(new FieldSpec.CategoricalField(text(f, "name", at + ".name"), values));
    }
    List<FieldSpec.TextField> text = new ArrayList<>();
    i = 0;
    if (node.has("text")) { // absent before text fields were read (2026-12-05): none
      for (JsonNode f : array(node, "text", where + ".text")) {
        String at = where + ".text[" + i++ + "]";
        text.add(new FieldSpec.TextField(text(f, "name", at + ".name"), integer(f.get("buckets"), at + ".buckets")));
      }
    }
    return new FieldSpec(numeric, categorical, text);
  }

  static JsonNode parse(String json, String what) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object");
    }
    return root;
  }

  static StudentSpec read(String json) {
    JsonNode root = parse(json, "architecture");
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
        if (root.has("fields")) {
          throw new IllegalArgumentException("architecture: kind 'mlp' reads a vector and takes no 'fields'"
              + " (use kind 'fields-mlp')");
        }
        yield new MlpSpec(classes, integer(root.get("inputSize"), "inputSize"), hidden);
      }
      case "fields-mlp" -> {
        List<Integer> hidden = new ArrayList<>();
        for (JsonNode h : array(root, "hidden")) {
          hidden.add(integer(h, "hidden[]"));
        }
        FieldSpec fields = readFields(root.get("fields"), "fields");
        // inputSize is derived from the fields; when written (as write() does) it must agree.
        int inputSize = root.has("inputSize") ? integer(root.get("inputSize"), "inputSize") : fields.width();
        yield new MlpSpec(classes, inputSize, hidden, fields);
      }
      case "cnn" -> {
        List<Integer> filters = new ArrayList<>();
        for (JsonNode f : array(root, "filters")) {
          filters.add(integer(f, "filters[]"));
        }
        List<Integer> hidden = new ArrayList<>();
        for (JsonNode h : array(root, "hidden")) {
          hidden.add(integer(h, "hidden[]"));
        }
        yield new ConvSpec(classes, integer(root.get("channels"), "channels"), integer(root.get("rows"), "rows"),
            integer(root.get("cols"), "cols"), filters, hidden, (float) number(root.get("inputShift"), "inputShift"),
            (float) number(root.get("inputScale"), "inputScale"));
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
        JsonNode cjk = f.get("cjkCharacters");
        if (cjk != null && !cjk.isBoolean()) {
          throw new IllegalArgumentException("architecture: 'featurizer.cjkCharacters' must be true or false");
        }
        var settings = new NgramFeaturizer.Settings(integer(f.get("buckets"), "featurizer.buckets"),
            integer(f.get("wordNgrams"), "featurizer.wordNgrams"), integer(f.get("charMin"), "featurizer.charMin"),
            integer(f.get("charMax"), "featurizer.charMax"), lowercase.booleanValue(),
            integer(f.get("maxTokens"), "featurizer.maxTokens"), cjk != null && cjk.booleanValue());
        yield new NgramSpec(classes, settings, integer(root.get("embeddingDim"), "embeddingDim"));
      }
      default -> throw new IllegalArgumentException("architecture: unknown kind '" + kind
          + "' (known: mlp, fields-mlp, cnn, hashed-ngram)");
    };
  }

  private static String text(JsonNode node, String field) {
    return text(node, field, field);
  }

  private static String text(JsonNode node, String key, String field) {
    JsonNode value = node.get(key);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("architecture: '" + field + "' must be a string");
    }
    return value.asText();
  }

  private static JsonNode array(JsonNode node, String field) {
    return array(node, field, field);
  }

  private static JsonNode array(JsonNode node, String key, String field) {
    JsonNode value = node.get(key);
    if (value == null || !value.isArray()) {
      throw new IllegalArgumentException("architecture: '" + field + "' must be an array");
    }
    return value;
  }

  private static double number(JsonNode value, String field) {
    if (value == null || !value.isNumber()) {
      throw new IllegalArgumentException("architecture: '" + field + "' must be a number");
    }
    return value.doubleValue();
  }

  private static int integer(JsonNode value, String field) {
    if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("architecture: '" + field + "' must be an integer");
    }
    return value.intValue();
  }
}
