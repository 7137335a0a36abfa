package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherDirectory;
import io.streamdistill.teacher.model.TeacherLoader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a large language model behind an OpenAI-compatible server as a classifier ({@link LlmProtocol}): kind
 * {@code llm}, for vLLM, llama.cpp's server, Ollama, LM Studio, Text Generation Inference or a gateway to a hosted
 * model. The directory holds only a teacher.json; the prompt is part of it, so the version soft labels carry changes
 * when the prompt does:
 *
 * <pre>{@code
 * {
 *   "id": "Qwen2.5-7B-Instruct", "version": "prompt:5f1c0e9a2b3d", "kind": "llm",
 *   "classes": ["ham", "spam"], "input": "text", "vectorWidth": 0, "embeddingWidth": 0,
 *   "files": {},
 *   "options": {"url": "http://vllm:8000", "model": "Qwen/Qwen2.5-7B-Instruct", "answers": "names",
 *               "instructions": "Is this e-mail spam? ...", "tokenEnv": "OPENAI_API_KEY"}
 * }
 * }</pre>
 *
 * <p>Nothing is called at load: the first batch (or import's probe) finds a server that is not there, or a model that
 * answers with no class, with the answer quoted.
 */
public final class LlmTeacherLoader implements TeacherLoader {
  /** The kind in teacher.json. */
  public static final String KIND = "llm";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Teacher load(Path dir, TeacherDescriptor descriptor) {
    return RemoteLoading.load(dir, descriptor, KIND, LlmProtocol.OPTIONS,
        (d, call) -> LlmProtocol.of(d, call, d.options()),
        "an LLM asked to classify, style " + descriptor.options().getOrDefault("style", "chat"));
  }

  /**
   * Writes the {@code teacher.json} of an LLM behind an OpenAI-compatible server into {@code dir}.
   *
   * @param id the teacher's id, or null for the model's name (its last part)
   * @param version the version soft labels carry, or null for {@code prompt:} and a hash of the model, the prompt and
   *     how answers are read
   * @param classes the classes, named as the model should read them (an LLM has none of its own)
   * @param input null or {@code text}, {@code structured} (each record sent as {@code name: value} lines), or {@code
   *     vector} for images (with the option {@code inputShape}: each sent as a PNG)
   * @param options the teacher.json options: {@code url}; {@code model} (else the one model the server lists at
   *     {@code /v1/models}); {@code instructions}, {@code answers} (else told from the classes and written), ...
   * @throws IllegalArgumentException naming what the caller must give or change
   */
  public static TeacherDescriptor describe(Path dir, String id, String version, List<String> classes, String input,
      Map<String, String> options) {
    if (classes == null || classes.size() < 2) {
      throw new IllegalArgumentException("--kind llm needs --classes: an LLM has no classes of its own; name them as"
          + " your data's labels do, in words the model understands (--classes negative,positive)");
    }
    boolean images = options.containsKey(RemoteImages.SHAPE_OPTION);
    String chosenInput = input != null ? input : images ? TeacherDescriptor.VECTOR : TeacherDescriptor.TEXT;
    if (TeacherDescriptor.VECTOR.equals(chosenInput) && !images) {
      throw new IllegalArgumentException("--input vector: an LLM reads vectors only as the images they hold: give"
          + " --option inputShape=CHANNELS,ROWS,COLS (1 or 3 channels, e.g. 3,32,32)");
    }
    if (images && !TeacherDescriptor.VECTOR.equals(chosenInput)) {
      throw new IllegalArgumentException("--option inputShape is for images; --input " + input + " is no image");
    }
    int width = images ? RemoteImages.Shape.parse(options.get(RemoteImages.SHAPE_OPTION), "an LLM").width() : 0;
    Map<String, String> written = new LinkedHashMap<>(options);
    if (!written.containsKey("model")) {
      written.put("model", servedModel(written));
    }
    written.putIfAbsent("answers", LlmPrompt.answersFor(classes).value());
    OipOptions call = OipOptions.parse(written, KIND, LlmProtocol.OPTIONS);
    String model = call.model();
    TeacherDescriptor draft = new TeacherDescriptor(id == null ? model.substring(model.lastIndexOf('/') + 1) : id,
        version == null ? "remote" : version, KIND, classes, chosenInput, width, 0, Map.of(), Map.of(), written);
    LlmProtocol protocol = LlmProtocol.of(draft, call, written); // every option checked before anything is written
    TeacherDescriptor descriptor = version != null ? draft : new TeacherDescriptor(draft.id(), promptVersion(protocol),
        KIND, classes, chosenInput, width, 0, Map.of(), Map.of(), written);
    return TeacherDirectory.write(dir, descriptor, List.of());
  }

  /** {@code prompt:} and the first 12 hex digits of the SHA-256 of what decides an answer. */
  static String promptVersion(LlmProtocol protocol) {
    String decided = String.join("\n", protocol.model(), protocol.style().value(), protocol.prompt().system(),
        protocol.prompt().answers().value(), String.valueOf(protocol.byText()), protocol.extraBody().toString());
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(decided.getBytes(StandardCharsets.UTF_8));
      return "prompt:" + HexFormat.of().formatHex(hash).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The one model the server lists at {@code /v1/models}, as vLLM and llama.cpp's server serve one. */
  private static String servedModel(Map<String, String> options) {
    Map<String, String> probe = new LinkedHashMap<>(options);
    probe.put("model", "(listing)");
    OipOptions call = OipOptions.parse(probe, KIND, LlmProtocol.OPTIONS);
    URI uri = URI.create(LlmProtocol.root(call.url()) + "/v1/models");
    JsonNode models = RemoteLoading.call(call, call.request(uri).GET().build(), "the served models");
    List<String> ids = new ArrayList<>();
    if (models != null) {
      models.path("data").forEach(m -> ids.add(m.path("id").asText("")));
    }
    if (ids.size() == 1 && !ids.get(0).isBlank()) {
      return ids.get(0);
    }
    throw new IllegalArgumentException("give --model: the server at " + call.url() + (models == null
        ? " lists no models (no /v1/models)" : ids.isEmpty() ? " lists no models at /v1/models"
        : " serves " + ids.size() + " models: " + String.join(", ", ids.subList(0, Math.min(ids.size(), 12)))
            + (ids.size() > 12 ? ", ..." : "")));
  }
}
