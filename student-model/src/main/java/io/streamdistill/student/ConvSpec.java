package io.streamdistill.student;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small convolutional network over an image sent as a vector: kind {@code "cnn"}. The vector holds
 * {@code channels} planes of {@code rows x cols} values, each plane row by row (as the data sets write
 * images: gray, or R, G and B), and is first taken to {@code (x - inputShift) * inputScale}. Then one
 * block per entry of {@code filters}: a 3x3 convolution with that many filters (stride 1, the image
 * padded with one zero on every side), ReLU, and 2x2 max pooling (stride 2; an odd last row or column
 * is dropped). The last block's maps, flattened channel by channel, are the input of an MLP ({@code
 * hidden} layers with ReLU, then the logits), as {@link MlpSpec}.
 *
 * <p>Parameters: {@code conv<i>.weight [filters, inChannels, 3, 3]} and {@code conv<i>.bias} (as
 * PyTorch's Conv2d), then the MLP's {@code dense<j>.weight} and {@code dense<j>.bias}. An MLP reads
 * each pixel on its own; a convolution reads a pixel with its neighbours, which is what an image
 * whose classes hang on shapes rather than on the value of any one pixel needs (digits in random
 * colours on random backgrounds: an MLP student stayed at chance, see docs/measurements.md).
 *
 * @param inputScale the factor after the shift, positive; {@code 1/255} with a shift of 127.5 takes
 *     0-255 pixels to about [-0.5, 0.5]
 */
public record ConvSpec(List<String> classes, int channels, int rows, int cols, List<Integer> filters,
    List<Integer> hidden, float inputShift, float inputScale) implements StudentSpec {
  /** The width of the convolutions' kernels. */
  public static final int KERNEL = 3;
  /** Bounds that keep every map's size an int (a version's spec is read from the models topic). */
  public static final int MAX_SIDE = 4096;
  public static final int MAX_CHANNELS = 16;
  public static final int MAX_FILTERS = 1024;

  public ConvSpec {
    StudentSpec.requireClasses(classes);
    if (channels < 1 || rows < 1 || cols < 1 || channels > MAX_CHANNELS || rows > MAX_SIDE || cols > MAX_SIDE) {
      throw new IllegalArgumentException("an image has 1 to " + MAX_CHANNELS + " channels and 1 to " + MAX_SIDE
          + " rows and columns, got " + channels + "x" + rows + "x" + cols);
    }
    if (filters == null || filters.isEmpty()
        || filters.stream().anyMatch(f -> f == null || f < 1 || f > MAX_FILTERS)) {
      throw new IllegalArgumentException("a cnn needs at least one convolution, each with 1 to " + MAX_FILTERS
          + " filters, got " + filters);
    }
    if ((long) filters.get(0) * rows * cols > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("the first convolution's " + filters.get(0) + " maps of " + rows + "x"
          + cols + " are too large to hold");
    }
    if (rows >> filters.size() < 1 || cols >> filters.size() < 1) {
      throw new IllegalArgumentException(filters.size() + " convolution blocks halve an image of " + rows + "x"
          + cols + " to nothing: at most " + (31 - Integer.numberOfLeadingZeros(Math.min(rows, cols))) + " for it");
    }
    if (hidden == null || hidden.stream().anyMatch(h -> h == null || h < 1)) {
      throw new IllegalArgumentException("hidden layer sizes must be positive, got " + hidden);
    }
    if (!Float.isFinite(inputShift) || !Float.isFinite(inputScale) || inputScale <= 0f) {
      throw new IllegalArgumentException("inputShift must be finite and inputScale positive, got " + inputShift
          + " and " + inputScale);
    }
    classes = List.copyOf(classes);
    filters = List.copyOf(filters);
    hidden = List.copyOf(hidden);
  }

  @Override
  public String kind() {
    return "cnn";
  }

  @Override
  public InputKind inputKind() {
    return InputKind.VECTOR;
  }

  /** The vector's width: {@code channels * rows * cols}. */
  public int inputSize() {
    return channels * rows * cols;
  }

  /** The rows of the maps after {@code blocks} blocks of pooling. */
  public int rowsAfter(int blocks) {
    return rows >> blocks;
  }

  /** The columns of the maps after {@code blocks} blocks of pooling. */
  public int colsAfter(int blocks) {
    return cols >> blocks;
  }

  /** The channels a block reads: the image's for the first, else the filters of the one before. */
  public int inChannels(int block) {
    return block == 0 ? channels : filters.get(block - 1);
  }

  /** The width of the flattened maps the MLP reads. */
  public int flattened() {
    int blocks = filters.size();
    return filters.get(blocks - 1) * rowsAfter(blocks) * colsAfter(blocks);
  }

  /** The MLP after the convolutions, over {@link #flattened} inputs; its parameters are this spec's dense ones. */
  public MlpSpec head() {
    return new MlpSpec(classes, flattened(), hidden);
  }

  @Override
  public Map<String, int[]> parameterShapes() {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    for (int block = 0; block < filters.size(); block++) {
      shapes.put(weightName(block), new int[] {filters.get(block), inChannels(block), KERNEL, KERNEL});
      shapes.put(biasName(block), new int[] {filters.get(block)});
    }
    shapes.putAll(head().parameterShapes());
    return shapes;
  }

  public static String weightName(int block) {
    return "conv" + block + ".weight";
  }

  public static String biasName(int block) {
    return "conv" + block + ".bias";
  }
}
