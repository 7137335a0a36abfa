package io.streamdistill.teacher.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdistill.student.FieldFeaturizer;
import io.streamdistill.student.FieldSpec;
import io.streamdistill.student.InputMismatchException;
import io.streamdistill.teacher.model.TeacherException;
import io.streamdistill.teacher.model.TeacherInput;
import io.streamdistill.teacher.model.TeacherInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How an input becomes the row a {@code dense-mlp} network reads, with the statistics fixed when
 * the teacher was trained (on its train split only) and kept in the teacher directory, so that
 * serving computes exactly what training did:
 *
 * <ul>
 *   <li>images: the pixels as they are;
 *   <li>vectors: each component standardised, {@code (x - mean) / sd} ({@value #SCALING_FILE});
 *   <li>structured records: the student's own {@link FieldFeaturizer} over a {@link FieldSpec}
 *       ({@value #FIELDS_FILE}), so teacher and student read a record the same way.
 * </ul>
 *
 * Immutable and thread-safe.
 */
final class InputFeatures {
  static final String SCALING_FILE = "scaling.json";
  static final String FIELDS_FILE = "fields.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The smallest sd a component is divided by: a constant component becomes 0, not a division by 0. */
  private static final double MIN_SD = 1e-6;

  private final Payload payload;
  private final int width;
  private final float[] mean;
  private final float[] sd;
  private final FieldFeaturizer fields;

  private InputFeatures(Payload payload, int width, float[] mean, float[] sd, FieldFeaturizer fields) {
    this.payload = payload;
    this.width = width;
    this.mean = mean;
    this.sd = sd;
    this.fields = fields;
  }

  static InputFeatures image(int width) {
    return new InputFeatures(Payload.IMAGE, width, null, null, null);
  }

  /** Standardisation fitted on {@code rows} (the train split). */
  static InputFeatures fitVector(List<float[]> rows) {
    int width = rows.get(0).length;
    double[] sum = new double[width];
    double[] sumSq = new double[width];
    for (float[] row : rows) {
      for (int i = 0; i < width; i++) {
        sum[i] += row[i];
        sumSq[i] += (double) row[i] * row[i];
      }
    }
    float[] mean = new float[width];
    float[] sd = new float[width];
    for (int i = 0; i < width; i++) {
      double m = sum[i] / rows.size();
      double variance = Math.max(0, sumSq[i] / rows.size() - m * m);
      mean[i] = (float) m;
      sd[i] = (float) Math.max(MIN_SD, Math.sqrt(variance));
    }
    return new InputFeatures(Payload.VECTOR, width, mean, sd, null);
  }

  /** The featurizer of a field spec fitted on the train split. */
  static InputFeatures fields(FieldSpec spec) {
    return new InputFeatures(Payload.STRUCTURED, spec.width(), null, null, new FieldFeaturizer(spec));
  }

  Payload payload() {
    return payload;
  }

  /** The width of the rows the network reads. */
  int width() {
    return width;
  }

  FieldSpec fieldSpec() {
    return fields == null ? null : fields.spec();
  }

  /**
   * The network's row for an input.
   *
   * @throws TeacherInputException when the input lacks the payload or does not fit it
   */
  float[] apply(TeacherInput input) {
    return switch (payload) {
      case STRUCTURED -> {
        try {
          yield fields.featurize(input.fields());
        } catch (InputMismatchException e) {
          // The input's fault: a caller answers it as a bad request, not as a failed model.
          throw new TeacherInputException(e.getMessage(), e);
        }
      }
      case IMAGE, VECTOR -> vector(input.vector());
      case TEXT -> throw new IllegalStateException("a dense-mlp teacher does not read text");
    };
  }

  private float[] vector(float[] vector) {
    if (vector == null || vector.length != width) {
      throw new TeacherInputException("the input has " + (vector == null ? "no vector" : "a vector of width "
          + vector.length) + ", the teacher takes vectors of width " + width);
    }
    if (mean == null) {
      return vector;
    }
    float[] out = new float[width];
    for (int i = 0; i < width; i++) {
      out[i] = (vector[i] - mean[i]) / sd[i];
    }
    return out;
  }

  /** Writes the statistics into {@code dir}; returns the file's name, or null when there are none. */
  String write(Path dir) throws IOException {
    switch (payload) {
      case VECTOR -> {
        JSON.writeValue(dir.resolve(SCALING_FILE).toFile(), Map.of("mean", mean, "sd", sd));
        return SCALING_FILE;
      }
      case STRUCTURED -> {
        Files.writeString(dir.resolve(FIELDS_FILE), fields.spec().toJson(), StandardCharsets.UTF_8);
        return FIELDS_FILE;
      }
      default -> {
        return null;
      }
    }
  }

  /**
   * Reads what {@link #write} wrote, for a teacher of {@code payload} reading {@code width} values.
   *
   * @throws TeacherException naming the file that is missing or wrong
   */
  static InputFeatures read(Path dir, Payload payload, int width) {
    Path file = dir.resolve(payload == Payload.STRUCTURED ? FIELDS_FILE : SCALING_FILE);
    try {
      switch (payload) {
        case IMAGE -> {
          return image(width);
        }
        case VECTOR -> {
          ScalingFile scaling = JSON.readValue(file.toFile(), ScalingFile.class);
          if (scaling.mean == null || scaling.sd == null || scaling.mean.length != width
              || scaling.sd.length != width) {
            throw new TeacherException(file + " must hold mean and sd of " + width + " values each");
          }
          for (float s : scaling.sd) {
            if (!(s > 0) || !Float.isFinite(s)) {
              throw new TeacherException(file + ": every sd must be positive and finite, not " + s);
            }
          }
          return new InputFeatures(Payload.VECTOR, width, scaling.mean, scaling.sd, null);
        }
        case STRUCTURED -> {
          FieldSpec spec = FieldSpec.fromJson(Files.readString(file, StandardCharsets.UTF_8));
          if (spec.width() != width) {
            throw new TeacherException(file + " makes " + spec.width() + " features, the network reads " + width);
          }
          return fields(spec);
        }
        default -> throw new TeacherException("a dense-mlp teacher does not read " + payload.label());
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new TeacherException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The JSON form of {@value #SCALING_FILE}. */
  static final class ScalingFile {
    public float[] mean;
    public float[] sd;
  }
}
