package io.streamdistill.teacher.text;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.PairList;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The all-MiniLM-L6-v2 sentence encoder: text in, a 384-dimensional unit-length embedding out,
 * run by DJL's ONNX Runtime engine on the CPU, with DJL's HuggingFace tokenizer.
 *
 * <p>As in sentence-transformers, the embedding is the mean of the last hidden states over the real
 * tokens (the attention mask), L2-normalised. Texts are cut to {@link #maxTokens()} tokens
 * (including {@code [CLS]} and {@code [SEP]}); a batch is padded to its longest text and runs as one
 * ONNX call.
 *
 * <pre>{@code
 * try (MiniLmEncoder encoder = MiniLmEncoder.open(EncoderFiles.copyBundledTo(dir), 256);
 *     MiniLmEncoder.Session session = encoder.newSession()) {
 *   float[][] embeddings = session.embed(List.of("cheap meds", "meeting at 10"));
 * }
 * }</pre>
 *
 * <p>The encoder (model and tokenizer) is loaded once and is thread-safe; a {@link Session} wraps a
 * DJL predictor, which is not, so each thread takes its own. Closing the encoder frees the native
 * model; close its sessions first.
 */
public final class MiniLmEncoder implements AutoCloseable {
  /** Width of the embedding. */
  public static final int DIMENSION = 384;
  /** The default cut, in tokens: most of a mail's headers and the start of its body. */
  public static final int DEFAULT_MAX_TOKENS = 256;
  /** The model's position embeddings end here; longer inputs are not defined for BERT models. */
  public static final int MODEL_MAX_TOKENS = 512;

  private static final Logger LOGGER = LoggerFactory.getLogger(MiniLmEncoder.class);
  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final String HIDDEN_STATES = "last_hidden_state";

  private final Model model;
  private final OrtSession.SessionOptions sessionOptions;
  private final HuggingFaceTokenizer tokenizer;
  private final int maxTokens;

  private MiniLmEncoder(Model model, OrtSession.SessionOptions sessionOptions, HuggingFaceTokenizer tokenizer,
      int maxTokens) {
    this.model = model;
    this.sessionOptions = sessionOptions;
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
  }

  /** Loads the encoder with ONNX Runtime's default thread count (one per core). */
  public static MiniLmEncoder open(EncoderFiles files, int maxTokens) {
    return open(files, maxTokens, 0);
  }

  /**
   * Loads the encoder from its files.
   *
   * @param maxTokens where texts are cut, 2 to {@value #MODEL_MAX_TOKENS}
   * @param threads ONNX Runtime's intra-op threads; 0 for its default (one per core). Several
   *     predictors running at once each use this many.
   * @throws TeacherException when a file is missing or is not a model ONNX Runtime can run
   */
  public static MiniLmEncoder open(EncoderFiles files, int maxTokens, int threads) {
    Objects.requireNonNull(files, "files");
    if (maxTokens < 2 || maxTokens > MODEL_MAX_TOKENS) {
      throw new IllegalArgumentException("maxTokens must be between 2 and " + MODEL_MAX_TOKENS + ", not " + maxTokens);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, not " + threads);
    }
    long started = System.nanoTime();
    HuggingFaceTokenizer tokenizer;
    try {
      // The tokenizer.json pads and cuts to a fixed 128; we cut to maxTokens and pad ourselves, per
      // batch, to the longest text in it.
      tokenizer = HuggingFaceTokenizer.builder()
          .optTokenizerPath(files.tokenizer())
          .optMaxLength(maxTokens)
          .optTruncation(true)
          .optPadding(false)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new TeacherException("cannot load the tokenizer " + files.tokenizer() + ": " + e.getMessage(), e);
    }
    String fileName = files.model().getFileName().toString();
    if (!fileName.endsWith(".onnx")) {
      tokenizer.close();
      throw new TeacherException("the encoder file must end in .onnx: " + files.model());
    }
    Model model;
    try {
      model = Model.newInstance("minilm-encoder", "OnnxRuntime");
    } catch (RuntimeException e) {
      tokenizer.close();
      throw new TeacherException("DJL's OnnxRuntime engine is not available (ai.djl.onnxruntime:onnxruntime-engine): "
          + e.getMessage(), e);
    }
    OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions();
    try {
      // ONNX Runtime's worker threads busy-wait between operators by default. That pays only on cores
      // nobody else needs; next to Kafka Streams threads (or on a shared 2-core machine) it halved our
      // throughput: 18 mails/s spinning, 33 mails/s without (measured, batch 1, one core busy elsewhere).
      sessionOptions.addConfigEntry("session.intra_op.allow_spinning", "0");
      Map<String, Object> ortOptions = new HashMap<>();
      ortOptions.put("sessionOptions", sessionOptions);
      if (threads > 0) {
        ortOptions.put("intraOpNumThreads", Integer.toString(threads));
        ortOptions.put("interOpNumThreads", "1");
      }
      // ONNX Runtime's loader takes a directory and the file's name without ".onnx".
      model.load(files.model().toAbsolutePath().getParent(), fileName.substring(0, fileName.length() - 5), ortOptions);
    } catch (IOException | MalformedModelException | OrtException | RuntimeException e) {
      model.close();
      sessionOptions.close();
      tokenizer.close();
      throw new TeacherException("cannot load the ONNX encoder " + files.model() + ": " + e.getMessage(), e);
    }
    MiniLmEncoder encoder = new MiniLmEncoder(model, sessionOptions, tokenizer, maxTokens);
    try {
      encoder.checkInputs();
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
    LOGGER.atInfo().addKeyValue("model", files.model()).addKeyValue("maxTokens", maxTokens)
        .addKeyValue("threads", threads == 0 ? "default" : threads)
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("MiniLM encoder loaded");
    return encoder;
  }

  private void checkInputs() {
    PairList<String, Shape> inputs = model.describeInput();
    List<String> names = inputs == null ? List.of() : inputs.keys();
    if (!names.contains(INPUT_IDS) || !names.contains(ATTENTION_MASK)) {
      throw new TeacherException("the ONNX encoder's inputs are " + names + ", expected " + INPUT_IDS + " and "
          + ATTENTION_MASK + " (and optionally " + TOKEN_TYPE_IDS + "): not a BERT-style encoder");
    }
    for (String name : names) {
      if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(TOKEN_TYPE_IDS)) {
        throw new TeacherException("the ONNX encoder has an input this code cannot feed: " + name + " (all: " + names
            + ")");
      }
    }
  }

  /** Where texts are cut, in tokens. */
  public int maxTokens() {
    return maxTokens;
  }

  /** Width of the embeddings, {@value #DIMENSION}. */
  public int dimension() {
    return DIMENSION;
  }

  /** A new session, owned (and closed) by the caller; not thread-safe. */
  public Session newSession() {
    return new Session(model.newPredictor(new PoolingTranslator()));
  }

  /** Frees the tokenizer and the native model. */
  @Override
  public void close() {
    try {
      model.close();
    } finally {
      // Ours, not DJL's: the model does not close options it was given.
      sessionOptions.close();
      tokenizer.close();
    }
  }

  /**
   * Tokenizes {@code texts}, each cut to {@link #maxTokens()}, padded to the longest. The
   * tokenizer is a stateless native object, safe to share between sessions.
   */
  TokenBatch tokenize(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + i + " of the batch is null");
      }
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    int length = 0;
    for (Encoding encoding : encodings) {
      length = Math.max(length, encoding.getIds().length);
    }
    int batch = encodings.length;
    long[] ids = new long[batch * length];
    long[] mask = new long[batch * length];
    long[] types = new long[batch * length];
    int[] lengths = new int[batch];
    for (int b = 0; b < batch; b++) {
      long[] tokenIds = encodings[b].getIds();
      long[] tokenMask = encodings[b].getAttentionMask();
      long[] tokenTypes = encodings[b].getTypeIds();
      System.arraycopy(tokenIds, 0, ids, b * length, tokenIds.length);
      System.arraycopy(tokenMask, 0, mask, b * length, tokenMask.length);
      System.arraycopy(tokenTypes, 0, types, b * length, tokenTypes.length);
      lengths[b] = tokenIds.length;
      // The [PAD] id is 0 and so are the zero-filled tails, so padding needs no further writes.
    }
    return new TokenBatch(batch, length, ids, mask, types, lengths);
  }

  /**
   * One encoder call for a batch of texts, already padded to a common length. Flat row-major
   * {@code [batch, length]} arrays, as ONNX takes them (int64).
   */
  record TokenBatch(int batch, int length, long[] ids, long[] mask, long[] types, int[] lengths) {}

  /**
   * Runs the encoder on one batch. A DJL predictor underneath: not thread-safe, one per thread, and
   * its native memory is scoped to each call (the translator context's manager).
   */
  public final class Session implements AutoCloseable {
    private final Predictor<TokenBatch, float[][]> predictor;

    private Session(Predictor<TokenBatch, float[][]> predictor) {
      this.predictor = predictor;
    }

    /**
     * The embeddings of {@code texts}, in their order, from one ONNX call.
     *
     * @throws TeacherException when the model fails on the batch
     */
    public float[][] embed(List<String> texts) {
      Objects.requireNonNull(texts, "texts");
      if (texts.isEmpty()) {
        return new float[0][];
      }
      TokenBatch batch = tokenize(texts);
      try {
        return predictor.predict(batch);
      } catch (TranslateException | RuntimeException e) {
        throw new TeacherException("the MiniLM encoder failed on a batch of " + texts.size() + " texts ("
            + batch.length() + " tokens): " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      predictor.close();
    }
  }

  /** Token ids in, pooled and normalised embeddings out; all NDArrays live in the call's manager. */
  private static final class PoolingTranslator implements NoBatchifyTranslator<TokenBatch, float[][]> {
    private static final String BATCH = "batch";

    @Override
    public NDList processInput(TranslatorContext ctx, TokenBatch input) {
      ctx.setAttachment(BATCH, input);
      NDManager manager = ctx.getNDManager();
      Shape shape = new Shape(input.batch(), input.length());
      List<String> names = ctx.getModel().describeInput().keys();
      NDList list = new NDList(names.size());
      // Named inputs: ONNX Runtime feeds them by name, so their order here does not matter.
      for (String name : names) {
        long[] data = switch (name) {
          case INPUT_IDS -> input.ids();
          case ATTENTION_MASK -> input.mask();
          case TOKEN_TYPE_IDS -> input.types();
          default -> throw new IllegalStateException("unexpected encoder input " + name);
        };
        NDArray array = manager.create(data, shape);
        array.setName(name);
        list.add(array);
      }
      return list;
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
      TokenBatch input = (TokenBatch) ctx.getAttachment(BATCH);
      NDArray hidden = outputs.get(HIDDEN_STATES);
      if (hidden == null) {
        hidden = outputs.head();
      }
      Shape shape = hidden.getShape();
      if (shape.dimension() != 3 || shape.get(0) != input.batch() || shape.get(1) != input.length()
          || shape.get(2) != DIMENSION) {
        throw new TeacherException("the encoder's output " + hidden.getName() + " has shape " + shape + ", expected ("
            + input.batch() + ", " + input.length() + ", " + DIMENSION + ")");
      }
      return meanPoolAndNormalize(hidden.toFloatArray(), input);
    }
  }

  /**
   * Mean of the hidden states over the tokens the mask marks real, then scaled to unit length.
   * Padding positions are skipped, so a text's embedding does not depend on how long its batch is.
   */
  static float[][] meanPoolAndNormalize(float[] hidden, TokenBatch input) {
    int length = input.length();
    float[][] embeddings = new float[input.batch()][];
    for (int b = 0; b < input.batch(); b++) {
      double[] sum = new double[DIMENSION];
      long tokens = 0;
      for (int t = 0; t < length; t++) {
        if (input.mask()[b * length + t] == 0) {
          continue;
        }
        tokens++;
        int offset = (b * length + t) * DIMENSION;
        for (int d = 0; d < DIMENSION; d++) {
          sum[d] += hidden[offset + d];
        }
      }
      double norm = 0;
      for (int d = 0; d < DIMENSION; d++) {
        sum[d] /= Math.max(tokens, 1);
        norm += sum[d] * sum[d];
      }
      // sentence-transformers' normalize: divide by max(norm, 1e-12)
      norm = Math.max(Math.sqrt(norm), 1e-12);
      float[] embedding = new float[DIMENSION];
      for (int d = 0; d < DIMENSION; d++) {
        embedding[d] = (float) (sum[d] / norm);
      }
      embeddings[b] = embedding;
    }
    return embeddings;
  }

}
