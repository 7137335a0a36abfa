package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import io.streamdistill.teacher.model.TeacherUnavailableException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A teacher that runs on an inference server, spoken to in its protocol ({@link RemoteProtocol}: the Open Inference
 * Protocol of KServe v2, Triton, MLServer or another teacher service; the v1 predict protocol of TensorFlow
 * Serving, KServe v1 and MLflow; HuggingFace's; an OpenAI-compatible LLM server): each micro-batch is one {@code
 * POST} ({@code /v2/models/{model}/infer}, {@code /v1/models/{model}:predict}), or one per input for a chat model
 * (a few in flight at once), with a timeout per call, bounded
 * retries with exponential backoff, and a {@link CircuitBreaker} shared by all its predictors.
 *
 * <p>What a failure means for the stream. A call the server answered with an error status that
 * {@link OipOptions#retryStatus} does not list (400, 404, 413 or 500 by default) is about this batch
 * (its inputs): a plain {@link TeacherException}, so the labeller tries each input alone and
 * dead-letters only the one the server refuses. So is a 200 whose tensors are not the ones asked
 * for (logits of another shape than the metadata's classes): the server contradicts its own
 * metadata, and asking again would not change that. A 401 or 403 refuses the caller (its token:
 * {@link OipOptions#tokenEnv}), not the inputs: the batch fails at once, as in an outage below, and
 * nothing is dead-lettered. Anything else (no connection, a timeout, a
 * status that {@code retryStatus} lists, 429/502/503/504 by default, an answer that is not JSON)
 * is the remote's fault: it is retried, counts towards the breaker, and once the retries are spent
 * (or while the breaker is open) {@link TeacherUnavailableException} fails the batch. Calls are paced to what the
 * server takes ({@link CallPacer}): an answer over its rate (a 429, or {@code Retry-After}) halves the calls in
 * flight, and a wait it asks for of at most {@code breakerOpen} is waited out in place, within a budget per batch,
 * no retry spent ({@link #sendPaced}); a longer one (or past the budget) opens the breaker until then ({@link
 * RetryAfter}, at most 10 minutes): the batch fails at once and no call is made before. Nothing is
 * dead-lettered for an outage: the labeller holds the batch's events (still in its changelogged store) and the
 * service pauses its input for a second before the batch is asked again ({@code streams.BatchingLabeller}), so
 * every event is labelled once the remote is back, none twice.
 *
 * <p>Why fail the batch rather than retry in place until the breaker closes: a stream thread held
 * in a call holds its open transaction, which the broker aborts after {@code
 * transaction.timeout.ms} (sized by {@link #longestPredict}), fencing the producer; retrying in place
 * would end in a task restart, later and less visibly. So one {@code predict} is bounded
 * (defaults: 3 calls of at most 2 s, 100 + 200 ms of backoff), and while the breaker is open it
 * first waits for the probe moment (at most {@code breakerOpenMs}) instead of failing at once:
 * that paces the labeller's asking again during an outage. A caller
 * waiting on an answer (the HTTP endpoints) has no loop to pace: its {@link #newFailFastPredictor}
 * fails at once while the breaker is open, and the caller (an edge node) falls back.
 *
 * <p>Visible: the breaker's state in {@code /health} and as a gauge, calls, failures by reason,
 * retries and refusals as counters ({@link #bindTo}). Thread-safe; predictors are stateless views
 * on it. Closing it stops its HTTP client's threads.
 */
public final class RemoteTeacher implements Teacher, MeterBinder {
  private static final Logger LOGGER = LoggerFactory.getLogger(RemoteTeacher.class);
  /** Calls in flight allowed a protocol of one call a batch before any answer says the server is over its rate. */
  private static final int UNPACED = 1024;

  /** How a wait is made; tests record the backoff instead of sleeping. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final TeacherDescriptor descriptor;
  private final OipOptions options;
  private final RemoteProtocol protocol;
  private final ExecutorService httpThreads;
  /** A batch's calls, several for a protocol that takes fewer inputs a call (a chat model's). */
  private final CallFanOut fanOut;
  private final HttpClient http;
  private final CircuitBreaker breaker;
  private final BreakerWatch health;
  private final AnswerCache cache;
  private final Sleeper sleeper;
  private final AtomicBoolean versionWarned = new AtomicBoolean();
  private final RemoteTeacherMeters meters = new RemoteTeacherMeters();
  private final CallPacer pacer;
  private final BatchBounds bounds;

  RemoteTeacher(TeacherDescriptor descriptor, OipOptions options, RemoteProtocol protocol, CircuitBreaker breaker,
      Sleeper sleeper) {
    this.descriptor = descriptor;
    this.options = options;
    this.protocol = protocol;
    this.breaker = breaker;
    this.health = new BreakerWatch(breaker, descriptor.id(), options, meters, this::pause);
    this.cache = new AnswerCache(AnswerCache.capacity(options.cacheEntries(), descriptor.classes().size()
        + descriptor.embeddingWidth()));
    this.sleeper = sleeper;
    this.httpThreads = Executors.newCachedThreadPool(RemoteLoading.daemonThreads("oip-" + descriptor.id()));
    this.http = client(options, httpThreads);
    this.fanOut = new CallFanOut(descriptor.id(), protocol.inputsPerCall(), protocol.callsAtOnce());
    // A protocol of one call a batch has as many in flight as stream tasks call it: unbounded until a server
    // says it is over its rate.
    this.pacer = new CallPacer(protocol.inputsPerCall() == Integer.MAX_VALUE ? UNPACED : protocol.callsAtOnce(),
        options.maxCallsPerSecond());
    this.bounds = new BatchBounds(protocol, options, pacer);
  }

  static HttpClient client(OipOptions options, ExecutorService executor) {
    // HTTP/1.1: inference servers answer it everywhere, and plain-text HTTP/2 would cost an upgrade
    // round trip per connection for nothing.
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(options.timeout())
        .executor(executor).build();
  }

  @Override
  public TeacherDescriptor descriptor() {
    return descriptor;
  }

  public OipOptions options() {
    return options;
  }

  @Override
  public Optional<String> outage() {
    return health.outage();
  }

  /** The breaker's state: CLOSED (healthy), OPEN (the remote is failing), HALF_OPEN (probing it). */
  public CircuitBreaker.State breakerState() {
    return health.state();
  }

  /** As {@link BatchBounds#longest} bounds one from the options and the protocol's calls. */
  @Override
  public Duration longestPredict(int batchSize) {
    return bounds.longest(batchSize);
  }

  /** Fewer than {@code batchSize} once a server over its rate has slowed the calls down ({@link BatchBounds#limit}). */
  @Override
  public int batchLimit(int batchSize) {
    return bounds.limit(batchSize);
  }

  /** For the stream: while the breaker is open, each batch first waits for the probe moment (the class comment). */
  @Override
  public TeacherPredictor newPredictor() {
    return predictor(true);
  }

  /** For HTTP callers: while the breaker is open (or another caller's probe is out), fails at once. */
  @Override
  public TeacherPredictor newFailFastPredictor() {
    return predictor(false);
  }

  private TeacherPredictor predictor(boolean awaitProbe) {
    return new TeacherPredictor() {
      @Override
      public List<Prediction> predict(List<TeacherInput> batch) {
        return infer(batch, awaitProbe);
      }

      @Override
      public void close() {}
    };
  }

  /**
   * The batch's predictions: those of inputs seen lately from the {@link AnswerCache} ({@link
   * OipOptions#cacheEntries}), the others asked in one inference call, or in as many as the protocol needs ({@link
   * RemoteProtocol#inputsPerCall}), {@link RemoteProtocol#callsAtOnce} in flight, each retried and guarded as the
   * class comment says. When calls of a batch fail, the batch fails as the worst of them did: an outage over a
   * refusal, so that no event is dead-lettered while the remote is down.
   *
   * @param awaitProbe whether to wait for an open breaker's probe moment (the stream) or fail at once (HTTP)
   */
  List<Prediction> infer(List<TeacherInput> batch, boolean awaitProbe) {
    // A caller waiting on the answer (HTTP) waits for no server: it would rather fall back now.
    CallPacer.WaitBudget rateWaits = new CallPacer.WaitBudget(awaitProbe ? bounds.rateWaitBudget() : Duration.ZERO);
    return cache.answer(batch, unseen -> fanOut.answer(unseen, part -> call(part, awaitProbe, rateWaits)));
  }

  /** One inference call for {@code batch}, retried and guarded as the class comment says. */
  private List<Prediction> call(List<TeacherInput> batch, boolean awaitProbe, CallPacer.WaitBudget rateWaits) {
    byte[] body = protocol.request(batch);
    HttpRequest request = options.request(protocol.predictUri())
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    String lastFailure = "no call made";
    for (int attempt = 0; attempt <= options.retries(); attempt++) {
      if (attempt == 0) {
        health.acquire(awaitProbe);
      } else {
        if (health.state() != CircuitBreaker.State.CLOSED) {
          break; // this batch's failures opened it (or another caller's did): retrying now would only wait
        }
        meters.retries.increment();
        pause(options.backoff().multipliedBy(1L << Math.min(attempt - 1, 20)));
        if (!health.tryAcquire()) {
          break;
        }
      }
      try {
        HttpResponse<byte[]> response = sendPaced(request, rateWaits);
        int status = response.statusCode();
        if (status == 200) {
          JsonNode json = json(response.body());
          if (json != null) {
            // The server is up and answered: if not with the tensors asked for, it contradicts its own
            // metadata about these inputs, which a retry would not change (a refusal, as a 400 is).
            health.succeeded();
            return predictions(json, batch.size());
          }
          meters.malformed.increment();
          lastFailure = "the answer was not JSON";
        } else if (options.isOutage(status)) {
          meters.badStatus.increment();
          lastFailure = "HTTP " + status + ": " + errorOf(response.body());
          Duration retryAfter = RetryAfter.of(response).orElse(null);
          Duration nextPause = options.backoff().multipliedBy(1L << Math.min(attempt, 20));
          if (retryAfter != null && !retryAfter.isZero()
              && (attempt == options.retries() || retryAfter.compareTo(nextPause) > 0)) {
            // A rate limit (429) or a server shedding load (503) that says when to come back: nobody calls before.
            lastFailure += " (the server asks to be called again in " + retryAfter.toSeconds() + " s: Retry-After)";
            health.heldOff(lastFailure, retryAfter);
            break;
          }
        } else if (OipOptions.refusesCaller(status)) {
          // The server refuses the caller, not these inputs: dead-lettering them would lose the stream while a
          // token is wrong. The batch fails (its events wait in Kafka) and asking again now would not help.
          meters.badStatus.increment();
          lastFailure = "HTTP " + status + ": " + errorOf(response.body()) + " (" + options.whyRefused() + ")";
          health.failed(lastFailure);
          break;
        } else {
          // The server is up and answered about this batch: not an outage, and not worth repeating.
          health.succeeded();
          throw new TeacherException("remote teacher " + descriptor.id() + " refused the batch (HTTP " + status + "): "
              + errorOf(response.body()));
        }
      } catch (HttpTimeoutException e) {
        meters.calls.increment();
        meters.timeouts.increment();
        lastFailure = "no answer within " + options.timeout().toMillis() + " ms";
      } catch (IOException e) {
        meters.calls.increment();
        meters.connectionFailures.increment();
        lastFailure = OipOptions.describe(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TeacherUnavailableException("interrupted while calling remote teacher " + descriptor.id(), e);
      }
      health.failed(lastFailure);
    }
    meters.unavailable.increment();
    throw new TeacherUnavailableException("remote teacher " + descriptor.id() + " at " + protocol.predictUri()
        + " is unavailable (circuit breaker " + health.state() + "); last failure: " + lastFailure);
  }

  /**
   * Sends {@code request} when the {@link CallPacer} lets it: no sooner than a server asked, and no more calls in
   * flight than it takes. A server over its rate that asks for a wait no longer than {@code breakerOpen} is asked
   * again after it, in place, while the batch's {@code rateWaits} ({@link BatchBounds#rateWaitBudget}) last: no
   * retry spent, nothing failed. Any other answer is returned as it came, for {@link #call} to judge.
   *
   * @throws TeacherUnavailableException when the wait asked for is longer than the batch has left to wait
   */
  private HttpResponse<byte[]> sendPaced(HttpRequest request, CallPacer.WaitBudget rateWaits)
      throws IOException, InterruptedException {
    while (true) {
      Duration hold = pacer.untilHeld();
      if (!hold.isZero()) {
        long now = System.nanoTime();
        if (!rateWaits.spend(now, now + hold.toNanos())) {
          meters.unavailable.increment();
          throw new TeacherUnavailableException("remote teacher " + descriptor.id() + " at " + options.url()
              + " asks to be called again in " + hold.toMillis() + " ms (Retry-After), more than this batch can"
              + " wait (set the option maxCallsPerSecond to the server's rate limit, or give the teacher service a"
              + " smaller --batch-size); last failure: " + health.recentFailure());
        }
        pause(hold);
      }
      Duration start = pacer.nextStart();
      if (!start.isZero()) {
        pause(start);
      }
      long startedAt = pacer.acquire();
      boolean overRate = false;
      try {
        long started = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        meters.calls.increment();
        meters.callNanos.add(System.nanoTime() - started);
        Duration retryAfter = RetryAfter.of(response).orElse(null);
        overRate = response.statusCode() == 429 || (retryAfter != null && options.isOutage(response.statusCode()));
        if (!overRate) {
          return response;
        }
        meters.overRate.increment();
        long now = System.nanoTime();
        if (retryAfter == null || retryAfter.compareTo(options.breakerOpen()) > 0
            || !rateWaits.covers(now, now + retryAfter.toNanos())) {
          return response;
        }
        health.noted("HTTP " + response.statusCode() + ": " + errorOf(response.body()) + " (Retry-After "
            + retryAfter.toSeconds() + " s)");
        pacer.holdUntil(retryAfter);
      } finally {
        pacer.release(overRate, startedAt);
      }
    }
  }

  /** A 200 answer's JSON, or null when it is not JSON (a proxy's page, a cut answer: the remote's fault). */
  private JsonNode json(byte[] body) {
    try {
      JsonNode json = OipTensors.JSON.readTree(body);
      return json == null || json.isMissingNode() ? null : json;
    } catch (IOException e) {
      LOGGER.atDebug().addKeyValue("teacher", descriptor.id()).setCause(e).log("malformed inference answer");
      return null;
    }
  }

  /**
   * The predictions in a 200 answer.
   *
   * @throws TeacherException when it holds other tensors than the logits (and embedding) asked for
   */
  private List<Prediction> predictions(JsonNode json, int n) {
    String version = json.path("model_version").asText(null);
    if (version != null && !version.equals(descriptor.version()) && versionWarned.compareAndSet(false, true)) {
      LOGGER.atWarn().addKeyValue("teacher", descriptor.id()).addKeyValue("loaded", descriptor.version())
          .addKeyValue("answering", version)
          .log("the remote model's version changed since it was loaded; labels still carry the loaded one"
              + " (pin options.modelVersion, or restart to label with the new one)");
    }
    try {
      return protocol.predictions(json, n);
    } catch (IllegalArgumentException e) {
      meters.mismatched.increment();
      throw new TeacherException("remote teacher " + descriptor.id() + " answered, but not with what it was declared"
          + " to (" + descriptor.classes().size() + " classes): " + e.getMessage());
    }
  }

  private static String errorOf(byte[] body) {
    try {
      JsonNode json = OipTensors.JSON.readTree(body);
      if (json != null && json.hasNonNull("error")) {
        JsonNode error = json.get("error"); // OpenAI's servers: {"error": {"message": ..., "type": ...}}
        return error.isObject() && error.hasNonNull("message") ? error.get("message").asText() : error.asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: show the start of it
    }
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private void pause(Duration duration) {
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TeacherUnavailableException("interrupted while waiting to call remote teacher " + descriptor.id(), e);
    }
  }

  /** The teacher's meters ({@link RemoteTeacherMeters}), tagged with its id. */
  @Override
  public void bindTo(MeterRegistry registry) {
    meters.bindTo(registry, descriptor.id(), breaker, cache, pacer);
  }

  @Override
  public void close() {
    fanOut.close();
    httpThreads.shutdownNow();
  }
}
