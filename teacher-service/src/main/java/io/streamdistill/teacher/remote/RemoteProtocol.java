package io.streamdistill.teacher.remote;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.TeacherInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;

/**
 * How a {@link RemoteTeacher} speaks to its inference server: where each micro-batch is posted, its request body,
 * and how the predictions are read from a 200 answer. {@link OipProtocol}: the Open Inference Protocol (KServe v2,
 * Triton, MLServer); {@link V1Protocol}: the predict protocol of TensorFlow Serving, KServe v1 and MLflow; {@link
 * HfProtocol}: HuggingFace's text classification (Text Embeddings Inference, Inference Endpoints, pipelines); {@link
 * LlmProtocol}: a large language model behind an OpenAI-compatible server, asked to classify. The
 * retries, timeouts, bearer token and circuit breaker around the calls are {@link RemoteTeacher}'s, the same for all.
 * Implementations are immutable and thread-safe.
 */
interface RemoteProtocol {
  /** Where each batch is posted. */
  URI predictUri();

  /** The JSON request body for one micro-batch. */
  byte[] request(List<TeacherInput> batch);

  /**
   * The predictions in a 200 answer to a batch of {@code n}.
   *
   * @throws IllegalArgumentException when the answer holds other values than the classes' (and embedding's) asked
   *     for, naming what
   */
  List<Prediction> predictions(JsonNode answer, int n);

  /**
   * How many inputs one call carries: all of a batch (the default), or one (a chat model reads one conversation a
   * call), in which case a batch is sent as that many calls, {@link #callsAtOnce} at a time.
   */
  default int inputsPerCall() {
    return Integer.MAX_VALUE;
  }

  /** How many calls of one teacher may be in flight at once when a batch takes several. */
  default int callsAtOnce() {
    return 1;
  }

  /** Writes one request body. */
  @FunctionalInterface
  interface JsonBody {
    void write(JsonGenerator json) throws IOException;
  }

  /** A request body as {@code body} writes it ({@code sizeHint} bytes expected), the generator closed after. */
  static byte[] json(int sizeHint, JsonBody body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint);
    try (JsonGenerator json = OipTensors.JSON.getFactory().createGenerator(bytes)) {
      body.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a request body", e);
    }
    return bytes.toByteArray();
  }
}
