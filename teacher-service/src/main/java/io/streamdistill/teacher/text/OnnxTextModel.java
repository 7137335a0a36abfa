package io.streamdistill.teacher.text;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.streamdistill.teacher.generic.OnnxRuntimeNatives;
import io.streamdistill.teacher.model.TeacherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A text model in the layout the common export tools write (HuggingFace Optimum, {@code
 * transformers.onnx}): an ONNX file whose inputs are {@code input_ids}, {@code attention_mask} and
 * optionally {@code token_type_ids}, with the HuggingFace {@code tokenizer.json} it was trained with.
 * Run by DJL's ONNX Runtime engine on the CPU, offline.
 *
 * <p>What it reads from the model's outputs, by name:
 *
 * <ul>
 *   <li>{@value #LOGITS} {@code [batch, classes]}: a classifier's scores, used as they are;
 *   <li>{@value #LAST_HIDDEN_STATE} {@code [batch, tokens, hidden]}: pooled into a sentence embedding
 *       ({@link Pooling}: the mean over the attention mask, or the first token), optionally
 *       L2-normalised;
 *   <li>otherwise a 2-D output such as {@code pooler_output} or {@code sentence_embedding}: taken as
 *       the embedding as it is.
 * </ul>
 *
 * <p>Texts are cut to {@link #maxLength()} tokens (special tokens included); a batch is padded to
 * its longest text and runs as one ONNX call.
 *
 * <pre>{@code
 * try (OnnxTextModel model = OnnxTextModel.open(dir.resolve("model.onnx"), dir.resolve("tokenizer.json"),
 *         256, Pooling.MEAN, true, 0);
 *     OnnxTextModel.Session session = model.newSession()) {
 *   OnnxTextModel.Output out = session.run(List.of("cheap meds", "meeting at 10"));
 * }
 * }</pre>
 *
 * <p>The model and tokenizer are loaded once and are thread-safe; a {@link Session} wraps a DJL
 * predictor, which is not, so each thread takes its own. Closing the model frees the native
 * memory; close its sessions first.
 */
public final class OnnxTextModel implements AutoCloseable {
  /** The default cut, in tokens: most of a mail's headers and the start of its body. */
  public static final int DEFAULT_MAX_LENGTH = 256;
  /** BERT-style position embeddings end here; longer inputs are not defined for them. */
  public static final int MODEL_MAX_LENGTH = 512;
  /** The classifier output. */
  public static final String LOGITS = "logits";
  /** The encoder output: one hidden state per token. */
  public static final String LAST_HIDDEN_STATE = "last_hidden_state";

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";

  private static final Logger LOGGER = LoggerFactory.getLogger(OnnxTextModel.class);

  /** How per-token hidden states become one sentence embedding. */
  public enum Pooling {
    /** The mean over the tokens the attention mask marks real (sentence-transformers, MiniLM). */
    MEAN,
    /** The first token's state ({@code [CLS]}; BGE). */
    CLS;

    /** The pooling named {@code name} ({@code mean} or {@code cls}, any case). */
    public static Pooling parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("pooling must be mean or cls, not '" + name + "'");
      }
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What one call gave, one row per text.
   *
   * @param logits the model's {@value #LOGITS}, or null when it has none
   * @param embeddings the sentence embeddings, or null when the model exposes none
   */
  public record Output(float[][] logits, float[][] embeddings) {}

  private final Model model;
  private final OrtSession.SessionOptions sessionOptions;
  private final HuggingFaceTokenizer tokenizer;
  private final int maxLength;
  private final Pooling pooling;
  private final boolean normalize;
  private final List<String> inputNames;

  private OnnxTextModel(Model model, OrtSession.SessionOptions sessionOptions, HuggingFaceTokenizer tokenizer,
      int maxLength, Pooling pooling, boolean normalize, List<String> inputNames) {
    this.model = model;
    this.sessionOptions = sessionOptions;
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.pooling = pooling;
    this.normalize = normalize;
    this.inputNames = inputNames;
  }

  /**
   * Loads the model and its tokenizer.
   *
   * @param maxLength where texts are cut, 2 to {@value #MODEL_MAX_LENGTH}
   * @param pooling how hidden states become an embedding (unused when the model has none)
   * @param normalize whether pooled embeddings are scaled to unit length
   * @param threads ONNX Runtime's intra-op threads; 0 for its default (one per core)
   * @throws TeacherException when a file is missing or is not a model this code can feed
   */
  public static OnnxTextModel open(Path modelFile, Path tokenizerFile, int maxLength, Pooling pooling,
      boolean normalize, int threads) {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(tokenizerFile, "tokenizerFile");
    Objects.requireNonNull(pooling, "pooling");
    if (maxLength < 2 || maxLength > MODEL_MAX_LENGTH) {
      throw new IllegalArgumentException("maxLength must be between 2 and " + MODEL_MAX_LENGTH + ", not " + maxLength);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, not " + threads);
    }
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new TeacherException("no tokenizer: " + tokenizerFile + " is missing (a text model needs the"
          + " HuggingFace tokenizer.json it was trained with)");
    }
    String fileName = modelFile.getFileName().toString();
    if (!fileName.endsWith(".onnx")) {
      throw new TeacherException("the model file must end in .onnx: " + modelFile);
    }
    if (!Files.isRegularFile(modelFile)) {
      throw new TeacherException("no model: " + modelFile + " is missing");
    }
    long started = System.nanoTime();
    HuggingFaceTokenizer tokenizer;
    try {
      // Exported tokenizer.json files often pad or cut to a fixed length; we cut to maxLength and pad
      // ourselves, per batch, to the longest text in it.
      tokenizer = HuggingFaceTokenizer.builder()
          .optTokenizerPath(tokenizerFile)
          .optMaxLength(maxLength)
          .optTruncation(true)
          .optPadding(false)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new TeacherException("cannot load the tokenizer " + tokenizerFile + ": " + e.getMessage(), e);
    }
    Model model;
    try {
      OnnxRuntimeNatives.useCache();
      model = Model.newInstance("onnx-text", OnnxRuntimeNatives.ENGINE);
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
      model.load(modelFile.toAbsolutePath().getParent(), fileName.substring(0, fileName.length() - 5), ortOptions);
    } catch (IOException | MalformedModelException | OrtException | RuntimeException e) {
      model.close();
      sessionOptions.close();
      tokenizer.close();
      throw new TeacherException("cannot load the ONNX model " + modelFile + ": " + e.getMessage(), e);
    }
    List<String> inputNames;
    try {
      inputNames = checkInputs(model, modelFile);
    } catch (RuntimeException e) {
      model.close();
      sessionOptions.close();
      tokenizer.close();
      throw e;
    }
    OnnxTextModel loaded = new OnnxTextModel(model, sessionOptions, tokenizer, maxLength, pooling, normalize,
        inputNames);
    LOGGER.atInfo().addKeyValue("model", modelFile).addKeyValue("inputs", inputNames)
        .addKeyValue("maxLength", maxLength).addKeyValue("threads", threads == 0 ? "default" : threads)
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("ONNX text model loaded");
    return loaded;
  }

  private static List<String> checkInputs(Model model, Path modelFile) {
    PairList<String, Shape> inputs = model.describeInput();
    List<String> names = inputs == null ? List.of() : List.copyOf(inputs.keys());
    if (!names.contains(INPUT_IDS) || !names.contains(ATTENTION_MASK)) {
      throw new TeacherException(modelFile + ": the ONNX model's inputs are " + names + ", expected " + INPUT_IDS
          + " and " + ATTENTION_MASK + " (and optionally " + TOKEN_TYPE_IDS + "): not a transformer text model");
    }
    for (String name : names) {
      if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(TOKEN_TYPE_IDS)) {
        throw new TeacherException(modelFile + ": the ONNX model has an input this code cannot feed: " + name
            + " (all: " + names + ")");
      }
    }
    return names;
  }

  /** Where texts are cut, in tokens. */
  public int maxLength() {
    return maxLength;
  }

  public Pooling pooling() {
    return pooling;
  }

  public boolean normalize() {
    return normalize;
  }

  /** The model's input names; {@value #TOKEN_TYPE_IDS} is fed only when it is among them. */
  public List<String> inputNames() {
    return inputNames;
  }

  /** A new session, owned (and closed) by the caller; not thread-safe. */
  public Session newSession() {
    return new Session(model.newPredictor(TextOutputs.translator(pooling, normalize)));
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
   * Tokenizes {@code texts}, each cut to {@link #maxLength()}, padded to the longest. The
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
      System.arraycopy(tokenIds, 0, ids, b * length, tokenIds.length);
      System.arraycopy(encodings[b].getAttentionMask(), 0, mask, b * length, tokenIds.length);
      System.arraycopy(encodings[b].getTypeIds(), 0, types, b * length, tokenIds.length);
      lengths[b] = tokenIds.length;
      // Padding: id 0 with mask 0. The mask keeps padded positions out of attention and pooling, so
      // the id written there does not change any real token's output.
    }
    return new TokenBatch(batch, length, ids, mask, types, lengths);
  }

  /**
   * One model call for a batch of texts, already padded to a common length. Flat row-major
   * {@code [batch, length]} arrays, as ONNX takes them (int64).
   */
  record TokenBatch(int batch, int length, long[] ids, long[] mask, long[] types, int[] lengths) {}

  /**
   * Runs the model on one batch. A DJL predictor underneath: not thread-safe, one per thread, and
   * its native memory is scoped to each call (the translator context's manager).
   */
  public final class Session implements AutoCloseable {
    private final Predictor<TokenBatch, Output> predictor;

    private Session(Predictor<TokenBatch, Output> predictor) {
      this.predictor = predictor;
    }

    /**
     * The outputs for {@code texts}, in their order, from one ONNX call.
     *
     * @throws TeacherException when the model fails on the batch
     */
    public Output run(List<String> texts) {
      Objects.requireNonNull(texts, "texts");
      if (texts.isEmpty()) {
        return new Output(new float[0][], new float[0][]);
      }
      TokenBatch batch = tokenize(texts);
      try {
        return predictor.predict(batch);
      } catch (TranslateException | RuntimeException e) {
        throw new TeacherException("the ONNX text model failed on a batch of " + texts.size() + " texts ("
            + batch.length() + " tokens): " + e.getMessage(), e);
      }
    }

    /** The sentence embeddings of {@code texts}; the model must expose some. */
    public float[][] embed(List<String> texts) {
      Output output = run(texts);
      if (output.embeddings() == null) {
        throw new TeacherException("the ONNX text model has no " + LAST_HIDDEN_STATE
            + " or embedding output: it cannot be used as an encoder");
      }
      return output.embeddings();
    }

    @Override
    public void close() {
      predictor.close();
    }
  }
}
