package io.streamdistill.teacher.generic;

import ai.djl.ndarray.types.Shape;
import io.streamdistill.teacher.model.TeacherDescriptor;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * How a vector teacher's model takes each input: the shape of one example (a row of {@code vectorWidth}, or an
 * image's {@code [channels, rows, cols]} as exported image classifiers take it, the vector's values being the
 * image's planes one after the other, as image folders and IDX files are read, each pixel byte / 255), and the
 * scaling its training applied to the pixels: {@code (x * scale - mean[c]) / std[c]} per channel {@code c}, as
 * torchvision's and HuggingFace's image processors do ({@code image_mean}, {@code image_std}; their {@code
 * rescale_factor} of 1/255 is already in the values here).
 *
 * <p>Read from teacher.json's options: {@value #SHAPE} ({@code "3,224,224"}), {@value #SCALE} ({@code
 * "0.00392156862745098"}), {@value #MEAN} and {@value #STD} ({@code "0.485,0.456,0.406"}: one value, or one per
 * channel), {@value #CHANNELS_LAST} ({@code "true"} for a model that takes {@code (N, rows, cols, channels)}, as
 * TensorFlow's image models do: each pixel's channels are then laid side by side). Without them the input is the
 * vector as it is, {@code (N, vectorWidth)}. Immutable.
 *
 * @param shape one example's dimensions, their product the descriptor's vectorWidth
 * @param scale multiplies every value first
 * @param mean subtracted per channel (the first dimension of an image shape), one value or one per channel
 * @param std divides per channel after the mean, one value or one per channel, none zero
 * @param channelsLast whether the model takes an image as {@code (rows, cols, channels)} rather than its planes
 */
public record InputLayout(long[] shape, float scale, float[] mean, float[] std, boolean channelsLast) {
  public static final String SHAPE = "inputShape";
  public static final String SCALE = "inputScale";
  public static final String MEAN = "inputMean";
  public static final String STD = "inputStd";
  /** {@code true}: the model takes images channels last, {@code (N, rows, cols, channels)}, as TensorFlow's do. */
  public static final String CHANNELS_LAST = "inputChannelsLast";

  public InputLayout {
    shape = shape.clone();
    mean = mean.clone();
    std = std.clone();
    if (channelsLast && shape.length != 3) {
      throw new IllegalArgumentException("teacher.json option " + CHANNELS_LAST + " is for images: " + SHAPE
          + " must be channels,rows,cols");
    }
  }

  /** A layout of channel planes (or a plain row). */
  public InputLayout(long[] shape, float scale, float[] mean, float[] std) {
    this(shape, scale, mean, std, false);
  }

  /**
   * The layout teacher.json's options declare for {@code descriptor}.
   *
   * @throws IllegalArgumentException naming the option that is malformed or does not fit the vector width
   */
  public static InputLayout of(TeacherDescriptor descriptor) {
    Map<String, String> options = descriptor.options();
    int width = descriptor.vectorWidth();
    long[] shape = options.containsKey(SHAPE) ? dims(options.get(SHAPE)) : new long[] {width};
    long product = size(shape);
    if (product != width) {
      throw new IllegalArgumentException("teacher.json option " + SHAPE + " " + options.get(SHAPE) + " holds "
          + product + " values, but vectorWidth is " + width);
    }
    int channels = shape.length == 3 ? (int) shape[0] : 1;
    float scale = options.containsKey(SCALE) ? number(SCALE, options.get(SCALE)) : 1f;
    float[] mean = perChannel(MEAN, options.getOrDefault(MEAN, "0"), channels);
    float[] std = perChannel(STD, options.getOrDefault(STD, "1"), channels);
    for (float s : std) {
      if (s == 0) {
        throw new IllegalArgumentException("teacher.json option " + STD + " must not hold 0: " + options.get(STD));
      }
    }
    String last = options.getOrDefault(CHANNELS_LAST, "false").strip().toLowerCase(Locale.ROOT);
    if (!last.equals("true") && !last.equals("false")) {
      throw new IllegalArgumentException("teacher.json option " + CHANNELS_LAST + " must be true or false, not "
          + options.get(CHANNELS_LAST));
    }
    return new InputLayout(shape, scale, mean, std, last.equals("true"));
  }

  /**
   * The image shape {@code [channels, rows, cols]} teacher.json's {@value #SHAPE} declares, or an empty array when
   * it declares none or a plain width.
   */
  public static long[] imageShape(TeacherDescriptor descriptor) {
    String text = descriptor.options().get(SHAPE);
    long[] dims = text == null ? new long[0] : dims(text);
    return dims.length == 3 ? dims : new long[0];
  }

  /** The number of values in one example of these dimensions. */
  static long size(long[] dims) {
    return Arrays.stream(dims).reduce(1, Math::multiplyExact);
  }

  /** Whether the values go to the model as they are, one row each. */
  public boolean isPlain() {
    return shape.length == 1 && !channelsLast && scale == 1f && mean.length == 1 && mean[0] == 0f
        && std.length == 1 && std[0] == 1f;
  }

  /** The model's input shape for a batch of {@code n}. */
  public Shape batchShape(int n) {
    if (channelsLast) {
      return new Shape(n, shape[1], shape[2], shape[0]);
    }
    long[] dims = new long[shape.length + 1];
    dims[0] = n;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    return new Shape(dims);
  }

  /** Writes {@code vector}, scaled and normalised, into {@code target} from {@code offset}. */
  public void copy(float[] vector, float[] target, int offset) {
    if (isPlain()) {
      System.arraycopy(vector, 0, target, offset, vector.length);
      return;
    }
    int channels = shape.length == 3 ? (int) shape[0] : 1;
    int plane = vector.length / channels;
    for (int i = 0; i < vector.length; i++) {
      int c = i / plane;
      float m = mean[mean.length == 1 ? 0 : c];
      float s = std[std.length == 1 ? 0 : c];
      // Channels last: the pixel's values side by side, (row, col, channel), instead of one plane per channel.
      int at = channelsLast ? (i % plane) * channels + c : i;
      target[offset + at] = (vector[i] * scale - m) / s;
    }
  }

  /** The options that declare this layout, for teacher.json. */
  public Map<String, String> options() {
    Map<String, String> options = new java.util.LinkedHashMap<>(Map.of(SHAPE, join(shape), SCALE,
        Float.toString(scale), MEAN, join(mean), STD, join(std)));
    if (channelsLast) {
      options.put(CHANNELS_LAST, "true");
    }
    return options;
  }

  /** The dimensions {@value #SHAPE} names: a width, or channels, rows and cols (commas or x between). */
  static long[] dims(String text) {
    String[] parts = text.toLowerCase(Locale.ROOT).split("[,x]", -1);
    long[] dims = new long[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        dims[i] = Long.parseLong(parts[i].strip());
        if (dims[i] < 1) {
          throw new NumberFormatException();
        }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("teacher.json option " + SHAPE + " must be positive whole numbers like"
          + " 3,224,224, not " + text, e);
    }
    if (dims.length != 1 && dims.length != 3) {
      throw new IllegalArgumentException("teacher.json option " + SHAPE + " is a width or channels,rows,cols, not "
          + text);
    }
    return dims;
  }

  private static float[] perChannel(String option, String text, int channels) {
    String[] parts = text.split(",", -1);
    if (parts.length != 1 && parts.length != channels) {
      throw new IllegalArgumentException("teacher.json option " + option + " needs one value or one per channel ("
          + channels + "), not " + text);
    }
    float[] values = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = number(option, parts[i]);
    }
    return values;
  }

  private static float number(String option, String text) {
    try {
      float value = Float.parseFloat(text.strip());
      if (!Float.isFinite(value)) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("teacher.json option " + option + " must be finite numbers, not " + text, e);
    }
  }

  /** Dimensions as {@value #SHAPE} writes them: {@code 3,224,224}. */
  static String join(long[] values) {
    return String.join(",", Arrays.stream(values).mapToObj(Long::toString).toList());
  }

  private static String join(float[] values) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      text.append(i == 0 ? "" : ",").append(values[i]);
    }
    return text.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof InputLayout that && Arrays.equals(shape, that.shape) && scale == that.scale
        && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std) && channelsLast == that.channelsLast;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + Arrays.hashCode(mean) * 7 + Arrays.hashCode(std) + Float.hashCode(scale)
        + (channelsLast ? 1 : 0);
  }

  @Override
  public String toString() {
    return "InputLayout" + Arrays.toString(shape) + (channelsLast ? " channels last" : "") + " scale " + scale
        + " mean " + Arrays.toString(mean) + " std " + Arrays.toString(std);
  }
}
