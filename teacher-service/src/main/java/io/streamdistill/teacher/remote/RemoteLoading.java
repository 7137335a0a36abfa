package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the remote kinds share outside the stream: loading a teacher.json into a {@link RemoteTeacher}, and the one-off
 * calls made before any batch (an Open Inference Protocol server's model metadata, Text Embeddings Inference's
 * {@code /info}, import's probe), each with the options' timeout, retries and token.
 */
final class RemoteLoading {
  private static final Logger LOGGER = LoggerFactory.getLogger(RemoteLoading.class);

  private RemoteLoading() {}

  /**
   * The remote teacher a teacher.json of {@code kind} describes, for the protocols that read no metadata at load
   * ({@code v1}, {@code hf}): its call options and the protocol's own ({@code kindOptions}, read by {@code
   * protocolOf}), a circuit breaker, real sleeps between retries.
   *
   * @param what the protocol in words, for the log ("v1 predict protocol")
   * @throws TeacherException naming teacher.json and the option that is wrong
   */
  static RemoteTeacher load(Path dir, TeacherDescriptor descriptor, String kind,
      Set<String> kindOptions, BiFunction<TeacherDescriptor, OipOptions, RemoteProtocol> protocolOf, String what) {
    OipOptions call;
    RemoteProtocol protocol;
    try {
      call = OipOptions.parse(descriptor.options(), kind, kindOptions);
      protocol = protocolOf.apply(descriptor, call);
    } catch (IllegalArgumentException e) {
      throw new TeacherException(dir.resolve(TeacherDescriptor.FILE_NAME) + ": " + e.getMessage(), e);
    }
    LOGGER.atInfo().addKeyValue("teacher", descriptor.id()).addKeyValue("url", protocol.predictUri())
        .addKeyValue("classes", descriptor.classes().size()).log("remote teacher (" + what + ") loaded");
    return new RemoteTeacher(descriptor, call, protocol, new CircuitBreaker(call.breakerFailures(),
        call.breakerOpen()), d -> Thread.sleep(d.toMillis()));
  }

  /** Threads named {@code name} that do not keep the JVM up: a remote teacher's HTTP client and calls. */
  static ThreadFactory daemonThreads(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * One call outside the stream (a model's metadata, import's probe), with the options' timeout and retries.
   *
   * @param what what is asked for, for messages ("the model metadata")
   * @return the JSON answer of a 200, or null for a 404
   * @throws TeacherException when every try failed, with the last failure
   */
  static JsonNode call(OipOptions options, HttpRequest request, String what) {
    ExecutorService threads = Executors.newSingleThreadExecutor(daemonThreads("remote-call"));
    try {
      HttpClient http = RemoteTeacher.client(options, threads);
      List<String> failures = new ArrayList<>();
      for (int attempt = 0; attempt <= options.retries(); attempt++) {
        if (attempt > 0) {
          Thread.sleep(options.backoff().multipliedBy(1L << Math.min(attempt - 1, 20)).toMillis());
        }
        try {
          HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() == 200) {
            JsonNode json;
            try {
              json = OipTensors.JSON.readTree(response.body());
            } catch (IOException e) {
              throw new TeacherException(what + " at " + request.uri() + " is not JSON: " + e.getMessage(), e);
            }
            if (json == null) {
              throw new TeacherException(what + " at " + request.uri() + " is empty");
            }
            return json;
          }
          if (response.statusCode() == 404) {
            return null;
          }
          if (OipOptions.refusesCaller(response.statusCode())) {
            throw new TeacherException("cannot read " + what + " at " + request.uri() + ": HTTP "
                + response.statusCode() + " (" + options.whyRefused() + ")");
          }
          String answer = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
          failures.add("HTTP " + response.statusCode() + " " + (answer.length() > 200 ? answer.substring(0, 200)
              + "..." : answer));
        } catch (IOException e) {
          failures.add(OipOptions.describe(e));
        }
      }
      throw new TeacherException("cannot read " + what + " at " + request.uri() + " (" + (options.retries() + 1)
          + " tries): " + failures.get(failures.size() - 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TeacherException("interrupted while reading " + what + " at " + request.uri(), e);
    } finally {
      threads.shutdownNow();
    }
  }

}
