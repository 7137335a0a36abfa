package io.streamdistill.teacher.training;

import io.streamdistill.teacher.model.TeacherException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The network of a {@code dense-mlp} teacher, as written in its teacher.json options so that the
 * loader rebuilds exactly the block that was trained: an MLP over a feature vector, or for images a
 * small convolutional net (conv 5x5x16, max-pool 2, conv 5x5x32, max-pool 2) in front of the MLP.
 *
 * @param inputWidth features the network reads (pixels, vector components or featurized fields)
 * @param model {@code mlp} or {@code cnn}
 * @param hidden the widths of the hidden dense layers, at least one; the last is the embedding
 * @param imageRows rows of an image input (0 when not an image); {@code inputWidth} is {@code imageRows *
 *     imageCols} (gray) or three times that (the red, green and blue planes one after the other)
 * @param imageCols columns of an image input (0 when not an image)
 * @param classes number of logits
 */
public record DenseArchitecture(int inputWidth, String model, List<Integer> hidden, int imageRows, int imageCols,
    int classes) {
  public static final String MLP = "mlp";
  public static final String CNN = "cnn";

  public DenseArchitecture {
    if (inputWidth < 1) {
      throw new IllegalArgumentException("the network needs at least one input, not " + inputWidth);
    }
    if (!MLP.equals(model) && !CNN.equals(model)) {
      throw new IllegalArgumentException("--model must be mlp or cnn, not " + model);
    }
    if (hidden == null || hidden.isEmpty() || hidden.stream().anyMatch(h -> h == null || h < 1 || h > 16_384)) {
      throw new IllegalArgumentException("--hidden must list one or more layer widths in [1, 16384], e.g. 256,256;"
          + " not " + hidden);
    }
    hidden = List.copyOf(hidden);
    if (imageRows < 0 || imageCols < 0 || (imageRows == 0) != (imageCols == 0)) {
      throw new IllegalArgumentException("an image shape needs positive rows and columns, not " + imageRows + "x"
          + imageCols);
    }
    long pixels = (long) imageRows * imageCols;
    if (imageRows > 0 && pixels != inputWidth && 3 * pixels != inputWidth) {
      throw new IllegalArgumentException("an image of " + imageRows + "x" + imageCols + " has " + pixels
          + " pixels (" + 3 * pixels + " values in colour), but the input has " + inputWidth + " values");
    }
    if (CNN.equals(model) && imageRows == 0) {
      throw new IllegalArgumentException("--model cnn needs images (an IDX source or --image-shape ROWSxCOLS)");
    }
    if (CNN.equals(model) && (imageRows < 4 || imageCols < 4)) {
      throw new IllegalArgumentException("--model cnn needs images of at least 4x4, not " + imageRows + "x"
          + imageCols);
    }
    if (classes < 2) {
      throw new IllegalArgumentException("the network needs at least two classes, not " + classes);
    }
  }

  /** The width of the embedding: the last hidden layer. */
  public int embeddingWidth() {
    return hidden.get(hidden.size() - 1);
  }

  /** The values per pixel of an image input: 1 (gray) or 3 (colour planes); 0 when not an image. */
  public int channels() {
    return imageRows == 0 ? 0 : inputWidth / (imageRows * imageCols);
  }

  public boolean convolutional() {
    return CNN.equals(model);
  }

  /** A short description, e.g. {@code mlp 784-1200-1200-10} or {@code cnn 28x28 c16-c32-128-10}. */
  public String describe() {
    String dense = hidden.stream().map(String::valueOf).collect(Collectors.joining("-")) + "-" + classes;
    String image = (channels() == 3 ? "3x" : "") + imageRows + "x" + imageCols;
    return convolutional() ? "cnn " + image + " conv5x5x16-pool-conv5x5x32-pool-" + dense
        : "mlp " + inputWidth + "-" + dense;
  }

  /** The entries this architecture adds to teacher.json's options. */
  Map<String, String> toOptions() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("model", model);
    options.put("inputWidth", Integer.toString(inputWidth));
    options.put("hidden", hidden.stream().map(String::valueOf).collect(Collectors.joining(",")));
    options.put("imageRows", Integer.toString(imageRows));
    options.put("imageCols", Integer.toString(imageCols));
    return options;
  }

  /**
   * Reads {@link #toOptions()}'s entries back.
   *
   * @throws TeacherException naming the option that is missing or wrong
   */
  static DenseArchitecture fromOptions(Map<String, String> options, int classes, String where) {
    try {
      List<Integer> hidden = new ArrayList<>();
      // Empty parts kept: "256,," was not written by toOptions, and is refused rather than read as "256".
      for (String width : required(options, "hidden", where).split(",", -1)) {
        hidden.add(Integer.parseInt(width.strip()));
      }
      return new DenseArchitecture(Integer.parseInt(required(options, "inputWidth", where)),
          required(options, "model", where), hidden, Integer.parseInt(options.getOrDefault("imageRows", "0")),
          Integer.parseInt(options.getOrDefault("imageCols", "0")), classes);
    } catch (IllegalArgumentException e) {
      throw new TeacherException(where + ": the network's options are wrong: " + e.getMessage(), e);
    }
  }

  private static String required(Map<String, String> options, String key, String where) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      throw new TeacherException(where + " has no options." + key + "; a dense-mlp teacher needs it to rebuild its"
          + " network");
    }
    return value;
  }
}
