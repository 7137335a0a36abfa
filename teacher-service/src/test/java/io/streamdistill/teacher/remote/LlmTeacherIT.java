package io.streamdistill.teacher.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamdistill.datasets.Example;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.http.HttpResponse;
import io.streamdistill.http.HttpServer;
import io.streamdistill.schemas.DeadLetter;
import io.streamdistill.schemas.SoftLabel;
import io.streamdistill.serde.AvroSerde;
import io.streamdistill.stack.LocalStack;
import io.streamdistill.stack.junit.LocalStackExtension;
import io.streamdistill.student.Softmax;
import io.streamdistill.teacher.TeacherCatalog;
import io.streamdistill.teacher.TeacherService;
import io.streamdistill.teacher.TestTraffic;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.streams.LabellingConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The teacher service on the real local stack labelling text events with an {@code llm} teacher: a chat model behind
 * an HTTP server that answers as vLLM does, one call per event, several in flight. Every event is labelled once with
 * the model's belief read from its log-probabilities, or, when the model answers with no class, dead-lettered with
 * its answer quoted; none is both, none is lost.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(LocalStackExtension.class)
class LlmTeacherIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 240;

  /** The model's belief that a text is positive: a logistic of its good words less its bad ones. */
  private static double positive(String text) {
    double score = 0;
    for (String word : text.split(" ", -1)) {
      score += word.equals("good") ? 1 : word.equals("bad") ? -1 : 0;
    }
    return 1 / (1 + Math.exp(-score));
  }

  /** vLLM's chat answer: the class with its belief as log-probabilities, or "Sure" for a chatty text. */
  private static byte[] chat(byte[] request) throws java.io.IOException {
    String text = JSON.readTree(request).get("messages").get(1).get("content").asText();
    double p = positive(text);
    String chosen = text.startsWith("chatty") ? "Sure" : p > 0.5 ? "positive" : "negative";
    ObjectNode answer = JSON.createObjectNode().put("object", "chat.completion");
    ObjectNode choice = answer.putArray("choices").addObject().put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", chosen);
    ObjectNode token = choice.putObject("logprobs").putArray("content").addObject().put("token", chosen);
    ArrayNode top = token.putArray("top_logprobs");
    top.addObject().put("token", chosen.equals("Sure") ? "Sure" : "The").put("logprob", Math.log(0.02));
    top.addObject().put("token", "positive").put("logprob", Math.log(0.98 * p));
    top.addObject().put("token", "negative").put("logprob", Math.log(0.98 * (1 - p)));
    return JSON.writeValueAsBytes(answer);
  }

  @Test
  void shouldLabelEachEventOnceWithTheModelsBeliefAndDeadLetterAnswersThatAreNoClass(LocalStack stack,
      @TempDir Path tmp) throws Exception {
    RemoteTeacherIT.Topics topics = RemoteTeacherIT.Topics.create(stack, "llm");
    List<Example> examples = new ArrayList<>();
    Map<String, String> texts = new HashMap<>();
    for (int i = 0; i < N; i++) {
      String text = i % 40 == 7 ? "chatty " + i : i % 3 == 0 ? "good good " + i : i % 3 == 1 ? "bad " + i
          : "good bad " + i;
      examples.add(new Example("llm/" + i, text, null, positive(text) > 0.5 ? "positive" : "negative"));
      texts.put("llm/" + i, text);
    }
    List<String> chatty = examples.stream().filter(e -> e.text().startsWith("chatty")).map(Example::id).toList();
    TestTraffic.produce(stack, ExampleSource.of("llm-texts", examples, List.of("negative", "positive")),
        topics.input(), N, 0);

    HttpServer server = HttpServer.builder("vllm-stub").threads(8).routeUnder("/v1/chat/completions",
        request -> HttpResponse.json(200, chat(request.body()))).start();
    try {
      Map<String, String> options = new LinkedHashMap<>();
      options.put("url", "http://127.0.0.1:" + server.port() + "/v1");
      options.put("model", "org/chat-7b");
      options.put("concurrency", "4");
      java.nio.file.Files.createDirectories(tmp.resolve("llm"));
      LlmTeacherLoader.describe(tmp.resolve("llm"), "chat-7b", "prompt-1", List.of("negative", "positive"), null,
          options);
      try (Teacher teacher = TeacherCatalog.load(tmp.resolve("llm").toString())) {
        LabellingConfig config = LabellingConfig.defaults().withTopics(topics.input(), topics.output(), topics.dlq())
            .withBatching(16, Duration.ofMillis(50));
        TeacherService.Settings settings = TeacherService.Settings.defaults("llm-teacher-it-" + UUID.randomUUID())
            .withLabelling(config).withStateDir(tmp.resolve("state")).withHttp(-1, 1);
        List<SoftLabel> labels;
        try (TeacherService service = TeacherService.start(List.of(teacher), settings, stack.clientConfig(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
          labels = TestTraffic.consume(stack, topics.output(), N - chatty.size(), Duration.ofMinutes(4));
          assertEquals(N - chatty.size(), service.eventsLabelled());
        }
        assertEquals(N - chatty.size(), labels.size(), "every event with a class answer labelled, none twice");
        for (SoftLabel label : labels) {
          String id = label.getEvent().getId().toString();
          assertFalse(chatty.contains(id), id + " was answered with no class, yet labelled");
          assertEquals("prompt-1", label.getTeachers().get(0).getTeacherVersion().toString());
          float[] logits = new float[2];
          for (int c = 0; c < 2; c++) {
            logits[c] = label.getTeachers().get(0).getLogits().get(c);
          }
          assertEquals(positive(texts.get(id)), Softmax.probabilities(logits, 1f)[1], 1e-4, texts.get(id));
        }
      }
    } finally {
      server.close();
    }

    Map<String, String> deadLetters = deadLetters(stack, topics.dlq());
    assertEquals(chatty, deadLetters.keySet().stream().sorted((a, b) -> Integer.compare(
        Integer.parseInt(a.substring(4)), Integer.parseInt(b.substring(4)))).toList(), "each chatty event once");
    deadLetters.values().forEach(reason -> assertTrue(reason.contains("the model answered 'Sure', not one of the"
        + " classes [negative, positive]"), reason));
  }

  /** Each dead letter's event id (its key) with its reason. */
  private static Map<String, String> deadLetters(LocalStack stack, String topic) {
    Map<String, String> reasons = new HashMap<>();
    try (AvroSerde<DeadLetter> serde = AvroSerde.forValues(DeadLetter.class, stack.clientConfig());
        KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(RemoteTeacherIT.readCommitted(stack),
            new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          ByteBuffer key = r.value().getKey();
          String id = key == null ? "(no key)" : StandardCharsets.UTF_8.decode(key.duplicate()).toString();
          assertEquals(null, reasons.put(id, r.value().getReason().toString()), "dead-lettered twice: " + id);
        });
      }
    }
    return reasons;
  }
}
