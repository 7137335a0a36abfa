package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherInput;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A large language model behind an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, LM Studio, Text
 * Generation Inference's Messages API, a gateway in front of a hosted model) as a classifier, through {@link
 * LlmPrompt}: the model is told the classes and its answer's log-probabilities are the soft label.
 *
 * <p>Two request styles:
 *
 * <ul>
 *   <li>{@link Style#CHAT} ({@code POST /v1/chat/completions}, the default): one input per call, {@code {"model":
 *       ..., "messages": [{"role": "system", ...}, {"role": "user", ...}], "max_tokens": 3, "temperature": 0,
 *       "logprobs": true, "top_logprobs": 20}}; the answer's {@code choices[0].logprobs.content[k].top_logprobs}
 *       are read. A batch is sent as {@code concurrency} calls at a time ({@link #callsAtOnce}), which servers
 *       such as vLLM batch on their side.
 *   <li>{@link Style#COMPLETIONS} ({@code POST /v1/completions}): the whole batch in one call ({@code "prompt": [...]},
 *       {@code "logprobs": 20}), read from each {@code choices[i].logprobs.top_logprobs}, by {@code index}. For base
 *       models and servers that take a list of prompts (vLLM).
 * </ul>
 *
 * <p>A vector teacher's inputs are images ({@code inputShape}: channels, rows, cols): each is sent as a PNG in the
 * user's message ({@code {"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}}), for a model that
 * reads pictures (Qwen2-VL, LLaVA, a hosted vision model).
 *
 * <p>{@code scores=text} is for a server that gives no log-probabilities: each answer's text names its class, taken
 * at {@code textConfidence} (the others share the rest). A URL that ends in {@code /v1}, as OpenAI's clients write a
 * base URL, is read as the server's root.
 *
 * @param descriptor the teacher as teacher.json declares it (text, structured, or vectors holding images)
 * @param predictUri where requests are posted
 * @param style chat or completions
 * @param model the model's name on the server
 * @param prompt the instructions and how answers are read
 * @param byText whether answers are read from their text ({@code scores=text}) rather than log-probabilities
 * @param textConfidence the probability an answer's text gives its class ({@code scores=text})
 * @param maxTokens tokens generated per answer
 * @param topLogprobs log-probabilities asked for per token
 * @param concurrency chat calls in flight at once per batch
 * @param extraBody fields added to every request (a server's own: {@code chat_template_kwargs}), or empty
 * @param image the shape of the images a vector teacher's inputs hold, sent as PNG to a model that reads pictures;
 *     null for text and records
 */
record LlmProtocol(TeacherDescriptor descriptor, URI predictUri, Style style, String model, LlmPrompt prompt,
    boolean byText, double textConfidence, int maxTokens, int topLogprobs, int concurrency, ObjectNode extraBody,
    RemoteImages.Shape image) implements RemoteProtocol {

  /** The user's words beside an image. */
  static final String IMAGE_QUESTION = "Which class is this image?";

  /** How requests are written: chat messages, one input a call, or prompts, a batch a call. */
  enum Style {
    CHAT("/v1/chat/completions"), COMPLETIONS("/v1/completions");

    /** Where this style posts, under the server's root. */
    final String path;

    Style(String path) {
      this.path = path;
    }

    /** The option's value, as teacher.json spells it. */
    String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The protocol's own teacher.json options, beside the call options of {@link OipOptions}. */
  static final Set<String> OPTIONS = Set.of("style", "predictPath", "instructions", "answers", "maxChars", "scores",
      "textConfidence", "maxTokens", "topLogprobs", "concurrency", "extraBody", RemoteImages.SHAPE_OPTION);
  static final int DEFAULT_TOP_LOGPROBS = 20;
  static final int DEFAULT_CONCURRENCY = 8;
  static final double DEFAULT_TEXT_CONFIDENCE = 0.9;
  /** Tokens generated per answer: room for a leading blank or quote before the class's first token. */
  static final int DEFAULT_MAX_TOKENS = 3;
  /** Tokens generated per answer read as text: room for a class name of several tokens. */
  static final int DEFAULT_TEXT_MAX_TOKENS = 16;

  @Override
  public int inputsPerCall() {
    return style == Style.CHAT ? 1 : Integer.MAX_VALUE;
  }

  @Override
  public int callsAtOnce() {
    return concurrency;
  }

  @Override
  public byte[] request(List<TeacherInput> batch) {
    ObjectNode body = OipTensors.JSON.createObjectNode();
    body.put("model", model);
    if (style == Style.CHAT) {
      if (batch.size() != 1) {
        throw new IllegalStateException("a chat request takes one input, not " + batch.size());
      }
      ArrayNode messages = body.putArray("messages");
      messages.addObject().put("role", "system").put("content", prompt.system());
      ObjectNode user = messages.addObject().put("role", "user");
      TeacherInput input = batch.get(0);
      if (image != null && input.vector() != null) {
        // OpenAI's content parts, as vLLM, llama.cpp, Ollama and hosted vision models read an image.
        ArrayNode parts = user.putArray("content");
        parts.addObject().put("type", "text").put("text", IMAGE_QUESTION);
        parts.addObject().put("type", "image_url").putObject("image_url")
            .put("url", RemoteImages.pngDataUrl(input.vector(), image.dims()));
      } else {
        user.put("content", prompt.user(input));
      }
    } else {
      ArrayNode prompts = body.putArray("prompt");
      batch.forEach(input -> prompts.add(prompt.completionPrompt(input)));
    }
    body.put("max_tokens", maxTokens);
    body.put("temperature", 0);
    if (!byText) {
      if (style == Style.CHAT) {
        body.put("logprobs", true).put("top_logprobs", topLogprobs);
      } else {
        body.put("logprobs", topLogprobs);
      }
    }
    body.setAll(extraBody);
    try {
      return OipTensors.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a request body", e);
    }
  }

  @Override
  public List<Prediction> predictions(JsonNode answer, int n) {
    JsonNode choices = answer.path("choices");
    if (!choices.isArray() || choices.size() != n) {
      throw new IllegalArgumentException("the answer has " + (choices.isArray() ? choices.size() + " choices"
          : "no choices") + " for " + n + " input" + (n == 1 ? "" : "s") + ": " + abbreviate(answer));
    }
    JsonNode[] byIndex = new JsonNode[n];
    for (int i = 0; i < n; i++) {
      JsonNode choice = choices.get(i);
      int index = choice.path("index").asInt(i);
      if (index < 0 || index >= n || byIndex[index] != null) {
        throw new IllegalArgumentException("the answer's choice " + i + " has the index " + index + " (of " + n
            + " inputs, each once)");
      }
      byIndex[index] = choice;
    }
    List<Prediction> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      try {
        out.add(new Prediction(scores(byIndex[i]), null));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException((n == 1 ? "" : "input " + i + ": ") + e.getMessage(), e);
      }
    }
    return out;
  }

  private float[] scores(JsonNode choice) {
    String text = style == Style.CHAT ? choice.path("message").path("content").asText("") : choice.path("text")
        .asText("");
    if (byText) {
      return prompt.fromText(text, textConfidence);
    }
    JsonNode logprobs = choice.path("logprobs");
    List<String> chosen = new ArrayList<>();
    List<Map<String, Double>> top = new ArrayList<>();
    if (style == Style.CHAT) {
      for (JsonNode token : logprobs.path("content")) {
        chosen.add(token.path("token").asText(""));
        Map<String, Double> listed = new LinkedHashMap<>();
        for (JsonNode alternative : token.path("top_logprobs")) {
          listed.merge(alternative.path("token").asText(""), alternative.path("logprob").asDouble(), Math::max);
        }
        top.add(listed);
      }
    } else {
      logprobs.path("tokens").forEach(token -> chosen.add(token.asText("")));
      for (JsonNode position : logprobs.path("top_logprobs")) {
        Map<String, Double> listed = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> alternative : position.properties()) {
          listed.put(alternative.getKey(), alternative.getValue().asDouble());
        }
        top.add(listed);
      }
    }
    if (chosen.isEmpty() || top.stream().allMatch(Map::isEmpty)) {
      throw new IllegalArgumentException("the server answered '" + abbreviate(text) + "' without log-probabilities"
          + " (it may not support them, or caps top_logprobs below " + topLogprobs + "): give --option"
          + " topLogprobs=5, or --option scores=text to learn from the answers' text alone");
    }
    return prompt.distribution(chosen, top);
  }

  private static String abbreviate(Object value) {
    String text = String.valueOf(value);
    return text.length() > 160 ? text.substring(0, 160) + "..." : text;
  }

  /**
   * The protocol for a teacher.json's options, each refused naming it when wrong: {@code style} ({@code chat} or
   * {@code completions}), {@code predictPath}, {@code instructions} (the system prompt; {@code {classes}} in it
   * lists them), {@code answers} ({@code names} or {@code letters}; by default told from the classes), {@code
   * maxChars}, {@code scores} ({@code logprobs} or {@code text}), {@code textConfidence}, {@code maxTokens},
   * {@code topLogprobs}, {@code concurrency}, {@code extraBody} (a JSON object).
   */
  static LlmProtocol of(TeacherDescriptor descriptor, OipOptions call, Map<String, String> options) {
    Style style = switch (options.getOrDefault("style", "chat").toLowerCase(Locale.ROOT)) {
      case "chat" -> Style.CHAT;
      case "completions" -> Style.COMPLETIONS;
      default -> throw new IllegalArgumentException("teacher.json options: style must be chat (/v1/chat/completions)"
          + " or completions (/v1/completions), is '" + options.get("style") + "'");
    };
    RemoteImages.Shape image = null;
    if (!descriptor.takesText() && !descriptor.takesFields()) {
      image = RemoteImages.Shape.of(descriptor, options, "an LLM");
      if (style != Style.CHAT) {
        throw new IllegalArgumentException("teacher.json options: images are sent as chat messages (style chat),"
            + " not as completions' prompts");
      }
    }
    String path = options.getOrDefault("predictPath", style.path);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("teacher.json options: predictPath must start with /, is '" + path + "'");
    }
    LlmPrompt.Answers answers = switch (options.getOrDefault("answers", "auto").toLowerCase(Locale.ROOT)) {
      case "auto" -> LlmPrompt.answersFor(descriptor.classes());
      case "names" -> LlmPrompt.Answers.NAMES;
      case "letters" -> LlmPrompt.Answers.LETTERS;
      default -> throw new IllegalArgumentException("teacher.json options: answers must be names, letters or auto,"
          + " is '" + options.get("answers") + "'");
    };
    String instructions = options.getOrDefault("instructions", LlmPrompt.DEFAULT_INSTRUCTIONS);
    if (instructions.isBlank()) {
      throw new IllegalArgumentException("teacher.json options: instructions is empty");
    }
    LlmPrompt prompt = new LlmPrompt(descriptor.classes(), instructions, answers,
        whole(options, "maxChars", LlmPrompt.DEFAULT_MAX_CHARS, 1, Integer.MAX_VALUE));
    boolean byText = switch (options.getOrDefault("scores", "logprobs").toLowerCase(Locale.ROOT)) {
      case "logprobs" -> false;
      case "text" -> true;
      default -> throw new IllegalArgumentException("teacher.json options: scores must be logprobs (the answer's"
          + " log-probabilities) or text (its words alone), is '" + options.get("scores") + "'");
    };
    double confidence = DEFAULT_TEXT_CONFIDENCE;
    if (options.containsKey("textConfidence")) {
      try {
        confidence = Double.parseDouble(options.get("textConfidence").strip());
      } catch (NumberFormatException e) {
        confidence = Double.NaN;
      }
      double uniform = 1.0 / descriptor.classes().size();
      if (!(confidence > uniform && confidence < 1)) {
        throw new IllegalArgumentException("teacher.json options: textConfidence must be a probability above "
            + String.format(Locale.ROOT, "%.3f", uniform) + " (one class in " + descriptor.classes().size()
            + ") and below 1, is '" + options.get("textConfidence") + "'");
      }
    }
    ObjectNode extra = OipTensors.JSON.createObjectNode();
    if (options.containsKey("extraBody")) {
      JsonNode parsed;
      try {
        parsed = OipTensors.JSON.readTree(options.get("extraBody"));
      } catch (JsonProcessingException e) {
        parsed = null;
      }
      if (parsed == null || !parsed.isObject()) {
        throw new IllegalArgumentException("teacher.json options: extraBody must be a JSON object, e.g."
            + " {\"chat_template_kwargs\": {\"enable_thinking\": false}}, is '" + options.get("extraBody") + "'");
      }
      extra = (ObjectNode) parsed;
    }
    return new LlmProtocol(descriptor, URI.create(root(call.url()) + path), style, call.model(), prompt, byText,
        confidence, whole(options, "maxTokens", byText ? DEFAULT_TEXT_MAX_TOKENS : DEFAULT_MAX_TOKENS, 1, 4096),
        whole(options, "topLogprobs", DEFAULT_TOP_LOGPROBS, 1, 100),
        whole(options, "concurrency", DEFAULT_CONCURRENCY, 1, 256), extra, image);
  }

  /** The server's root: the URL without the {@code /v1} that OpenAI's clients put at the end of a base URL. */
  static String root(URI url) {
    String base = url.toString();
    return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
  }

  private static int whole(Map<String, String> options, String key, int fallback, int min, int max) {
    String value = options.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.strip());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException("teacher.json options: " + key + " must be a whole number in [" + min + ", "
        + max + "], is '" + value + "'");
  }
}
