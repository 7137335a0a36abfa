package io.streamdistill.teacher.text;

import io.streamdistill.student.NgramFeaturizer;
import io.streamdistill.teacher.model.Prediction;
import io.streamdistill.teacher.model.Teacher;
import io.streamdistill.teacher.model.TeacherDescriptor;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherPredictor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A text teacher: an {@link OnnxTextModel} whose logits are either its own {@code logits} output
 * (an exported classifier) or a {@link LogisticHead} applied to its pooled sentence embedding (a
 * frozen encoder with a trained head), optionally followed by the text's hashed n-grams. For each
 * text it gives the logits and, when the model exposes one, the embedding (for hint and relational
 * distillation).
 *
 * <pre>{@code
 * try (TextTeacher teacher = OnnxTextTeacherLoader.open(dir);
 *     TeacherPredictor predictor = teacher.newPredictor()) {
 *   List<Prediction> out = predictor.predict(List.of(TeacherInput.ofText(mail)));
 * }
 * }</pre>
 *
 * <p>Thread-safe: the encoder and head are loaded once and shared; each thread takes its own
 * {@link #newPredictor() predictor} (a DJL predictor underneath, which is not thread-safe).
 * Closing the teacher frees the native model; close the predictors first.
 */
public final class TextTeacher implements Teacher {
  private static final Logger LOGGER = LoggerFactory.getLogger(TextTeacher.class);

  private final TeacherDescriptor descriptor;
  private final OnnxTextModel encoder;
  private final LogisticHead head;
  /** The featurizer of the head's n-gram columns, or null when it reads the embedding alone. */
  private final NgramFeaturizer ngrams;
  private final AtomicInteger openPredictors = new AtomicInteger();

  /**
   * A teacher that owns {@code encoder} (and closes it).
   *
   * @param head the head on the embedding, or null to use the model's own logits
   */
  TextTeacher(TeacherDescriptor descriptor, OnnxTextModel encoder, LogisticHead head) {
    this(descriptor, encoder, head, null);
  }

  /**
   * A teacher whose head reads the embedding and then the text's n-grams ({@link NgramBlock}).
   *
   * @param ngrams the featurizer of the head's n-gram columns, or null for none
   */
  TextTeacher(TeacherDescriptor descriptor, OnnxTextModel encoder, LogisticHead head, NgramFeaturizer ngrams) {
    this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.head = head;
    this.ngrams = ngrams;
    if (ngrams != null && head == null) {
      throw new IllegalArgumentException("n-gram columns need a head");
    }
  }

  @Override
  public TeacherDescriptor descriptor() {
    return descriptor;
  }

  /** The classification head, or null when the model gives logits itself. */
  public LogisticHead head() {
    return head;
  }

  /** Where the model cuts texts, in tokens. */
  public int maxTokens() {
    return encoder.maxLength();
  }

  @Override
  public TeacherPredictor newPredictor() {
    OnnxTextModel.Session session = encoder.newSession();
    openPredictors.incrementAndGet();
    return new Predictor(session);
  }

  @Override
  public void close() {
    int open = openPredictors.get();
    if (open > 0) {
      LOGGER.atWarn().addKeyValue("teacherId", descriptor.id()).addKeyValue("openPredictors", open)
          .log("text teacher closed while predictors are open; they fail from now on");
    }
    encoder.close();
    LOGGER.atInfo().addKeyValue("teacherId", descriptor.id()).addKeyValue("teacherVersion", descriptor.version())
        .log("text teacher closed");
  }

  /** One model call per batch, then the head (if any) on each embedding. Not thread-safe. */
  private final class Predictor implements TeacherPredictor {
    private final OnnxTextModel.Session session;
    private boolean closed;

    Predictor(OnnxTextModel.Session session) {
      this.session = session;
    }

    @Override
    public List<Prediction> predict(List<TeacherInput> batch) {
      if (closed) {
        throw new IllegalStateException("this predictor is closed");
      }
      List<String> texts = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        TeacherInput input = batch.get(i);
        if (input == null || input.text() == null) {
          throw new TeacherException("input " + i + " of the batch has no text, but the teacher " + descriptor.id()
              + " reads text");
        }
        texts.add(input.text());
      }
      OnnxTextModel.Output output = session.run(texts);
      // The descriptor's embeddingWidth 0 means the teacher publishes none, even if the model has one.
      float[][] embeddings = descriptor.embeddingWidth() > 0 ? output.embeddings() : null;
      List<Prediction> predictions = new ArrayList<>(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        float[] logits = head == null ? output.logits()[i] : head.logits(output.embeddings()[i],
            ngrams == null ? NgramBlock.EMPTY : NgramBlock.of(ngrams, texts.get(i)));
        predictions.add(new Prediction(logits, embeddings == null ? null : embeddings[i]));
      }
      return predictions;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        openPredictors.decrementAndGet();
        session.close();
      }
    }
  }
}
