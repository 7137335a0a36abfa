package io.streamdistill.datasets;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images in a folder, one subfolder per class: the layout of torchvision's {@code ImageFolder} and
 * Keras' {@code image_dataset_from_directory}.
 *
 * <pre>{@code
 * shapes/circle/0001.png      label "circle", id "circle/0001.png"
 * shapes/square/a/0002.jpg    label "square" (deeper folders belong to their class folder)
 * shapes/0003.png             no label (an image directly in the folder)
 * }</pre>
 *
 * <p>PNG, JPEG, BMP, GIF, TIFF and WebP (what {@code javax.imageio} reads, WebP with TwelveMonkeys' plug-in).
 * Each image is scaled to one size (the options', else the first image's, at most {@value #DEFAULT_MAX_SIDE} on its
 * longer side) and becomes a vector of floats in [0, 1], row by row:
 * gray (the image's luminance; the default) or RGB, channel by channel ({@code [3, rows, cols]}).
 * Hidden files are ignored; other files that are not images, and images that cannot be decoded,
 * are skipped and reported. Held as one byte per value, as {@link IdxSource} holds its pixels; the
 * pixels held are bounded ({@link Options#maxBytes}), so memory stays bounded whatever the folder.
 *
 * <p>Its length (about 430 lines): walking the folder, decoding, scaling by area and packing the bytes
 * are one pass whose bounds (the size chosen from the first image, the byte budget) each step must
 * honour; split, the budget would be checked in several places.
 *
 * <p>Read-only after construction and thread-safe.
 */
public final class ImageFolderSource implements ExampleSource {
  private static final Logger LOGGER = LoggerFactory.getLogger(ImageFolderSource.class);
  /** The file name endings read as images. */
  public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff",
      "webp");
  /** The longest side of the default size ({@link #defaultSize}). */
  public static final int DEFAULT_MAX_SIDE = 64;

  /**
   * How images become vectors.
   *
   * @param rows the height every image is scaled to, or 0 for the first image's ({@link #defaultSize})
   * @param cols the width every image is scaled to, or 0 for the first image's
   * @param color one value per pixel (gray), three (the red, green and blue planes), or {@code AUTO}: three
   *     when the folder's images are in colour ({@link #inColour})
   * @param maxBytes the most pixel values held (one byte each); a larger folder is refused
   */
  public record Options(int rows, int cols, Color color, long maxBytes) {
    /**
     * The first image's size, gray or colour as the images are, and at most 1 GiB of pixel values or a sixth
     * of the heap, whichever is less (the array grows by doubling: old and new are held together while it
     * does).
     */
    public static final Options DEFAULT = new Options(0, 0, Color.AUTO,
        Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 6));

    public Options {
      if (rows < 0 || cols < 0 || (rows == 0) != (cols == 0) || rows > 4096 || cols > 4096) {
        throw new IllegalArgumentException("--image-size must be ROWSxCOLS, each 1 to 4096, not " + rows + "x" + cols);
      }
      if (maxBytes < 1) {
        throw new IllegalArgumentException("maxBytes must be positive, not " + maxBytes);
      }
      Objects.requireNonNull(color, "color");
    }

    /**
     * Options from the command line's words: {@code size} "ROWSxCOLS" or null, {@code color} "auto" (or
     * null), "gray" or "rgb".
     *
     * @throws IllegalArgumentException naming the flag
     */
    public static Options parse(String size, String color) {
      int rows = 0;
      int cols = 0;
      if (size != null) {
        String[] parts = size.toLowerCase(Locale.ROOT).split("x", -1);
        try {
          if (parts.length != 2) {
            throw new NumberFormatException();
          }
          rows = Integer.parseInt(parts[0].trim());
          cols = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--image-size must be ROWSxCOLS (e.g. 28x28), not '" + size + "'", e);
        }
        if (rows < 1 || cols < 1) {
          throw new IllegalArgumentException("--image-size must be ROWSxCOLS, each 1 to 4096, not '" + size + "'");
        }
      }
      Color chosen;
      try {
        chosen = Color.valueOf((color == null ? "auto" : color).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--image-color must be auto, gray or rgb, not '" + color + "'", e);
      }
      return new Options(rows, cols, chosen, DEFAULT.maxBytes());
    }
  }

  /** How many values a pixel becomes. */
  public enum Color {
    /** One: gray (a colour file's luma). */
    GRAY,
    /** Three: the red, green and blue planes. */
    RGB,
    /** {@code RGB} when the folder's images are in colour, else {@code GRAY} ({@link #inColour}). */
    AUTO
  }

  /** Images {@link #inColour} decodes, spread over the folder, to tell whether it holds colour. */
  static final int COLOUR_SAMPLE = 16;
  /** A pixel is coloured when two of its channels differ by more than this (JPEG's noise on gray stays below). */
  static final int COLOUR_DIFFERENCE = 24;

  private final String name;
  private final int rows;
  private final int cols;
  private final int channels;
  private final int itemSize;
  /** The images' values, one after the other; may be longer than they need (its unused end is never read). */
  private final byte[] data;
  private final List<String> ids;
  private final String[] labels;
  private final List<String> classes;
  private final SkipReport skipped;

  private ImageFolderSource(String name, int rows, int cols, int channels, byte[] data, List<String> ids,
      String[] labels, List<String> classes, SkipReport skipped) {
    this.name = name;
    this.rows = rows;
    this.cols = cols;
    this.channels = channels;
    this.itemSize = rows * cols * channels;
    this.data = data;
    this.ids = ids;
    this.labels = labels;
    this.classes = classes;
    this.skipped = skipped;
  }

  /**
   * Reads every image under {@code dir}.
   *
   * @throws DatasetException when the folder cannot be listed, holds no readable image, or holds more
   *     pixels than {@code options.maxBytes()}
   */
  public static ImageFolderSource read(Path dir, Options options) {
    return read(dir, ClassFolders.name(dir, "images"), options);
  }

  /**
   * Refuses a folder whose image files would hold more pixel values than the bound at this size before
   * any is decoded (a folder of large photos at --image-size 1024x1024 was refused after 36 s of
   * decoding). Every image read is one of these files, so this bounds the pixels held.
   */
  private static void requireRoom(Path dir, long imageFiles, int rows, int cols, int channels, Options options) {
    long needed = imageFiles * rows * cols * channels;
    if (needed > options.maxBytes()) {
      boolean table = !Files.isDirectory(dir);
      throw new DatasetException(dir + (table ? " lists " : " holds ") + imageFiles + " images: at " + rows + "x"
          + cols + (channels == 3 ? " RGB" : "") + " that is " + needed + " pixel values, more than the "
          + options.maxBytes() + " held at most: scale them down with --image-size (e.g. 64x64), or "
          + (table ? "keep a sample of the table's rows" : "keep a sample of its files") + " (--sample "
          + Math.max(1, options.maxBytes() / ((long) rows * cols * channels)) + ")");
    }
  }

  /** As {@link #read(Path, Options)}, with the source's name given. */
  public static ImageFolderSource read(Path dir, String name, Options options) {
    return read(dir, name, options, note -> LOGGER.info(note));
  }

  /**
   * As {@link #read(Path, Options)}, with the source's name given; a folder without subfolders whose file names are
   * a class and a number ({@code cat.0.jpg}) is labelled by them ({@link ClassFolders#labelsOf}), said to {@code
   * notes}.
   */
  public static ImageFolderSource read(Path dir, String name, Options options, Consumer<String> notes) {
    return read(dir, name, options, notes, 0);
  }

  /** As {@link #read(Path, String, Options, Consumer)}, a uniform random sample of {@code sample} files (0: all). */
  public static ImageFolderSource read(Path dir, String name, Options options, Consumer<String> notes, int sample) {
    List<Path> files = ClassFolders.sample(ClassFolders.files(dir), sample);
    return ofFiles(dir, name, files, files.stream().map(f -> ClassFolders.id(dir, f)).toList(),
        ClassFolders.labelsOf(dir, files, notes), options, notes);
  }

  /** As {@link #ofFiles(Path, String, List, List, List, Options, Consumer)}, its progress logged. */
  public static ImageFolderSource ofFiles(Path dir, String name, List<Path> files, List<String> fileIds,
      List<String> fileLabels, Options options) {
    return ofFiles(dir, name, files, fileIds, fileLabels, options, note -> LOGGER.info(note));
  }


  /**
   * The images of {@code files}, in their order, each with its id and label: a folder's ({@link #read}), or those a
   * table lists ({@code train.csv} of {@code file,label} rows beside an {@code images/} folder). A file that does
   * not exist or cannot be decoded is skipped with its reason.
   *
   * @param dir what the files are listed by (the folder, or the table), for messages
   * @param fileIds each file's example id (the table's)
   * @param fileLabels each file's label, null when it has none
   * @param progress told how far the reading is every ten seconds while it lasts longer (large photos decode
   *     slowly)
   * @throws DatasetException when no listed image can be read, or they would hold more pixels than {@code
   *     options.maxBytes()}
   */
  public static ImageFolderSource ofFiles(Path dir, String name, List<Path> files, List<String> fileIds,
      List<String> fileLabels, Options options, Consumer<String> progress) {
    return ofImages(dir, name, files.stream().map(ImageInput::of).toList(), fileIds, fileLabels, options, progress);
  }

  /**
   * As {@link #ofFiles(Path, String, List, List, List, Options, Consumer)}, for images that are files or that a
   * table holds ({@link ImageInput}); one that cannot be read is skipped with its reason.
   */
  static ImageFolderSource ofImages(Path dir, String name, List<ImageInput> files, List<String> fileIds,
      List<String> fileLabels, Options options, Consumer<String> progress) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    long started = System.nanoTime();
    SkipReport skipped = new SkipReport();
    Set<String> classes = new TreeSet<>(NaturalOrder.COMPARATOR);
    List<String> ids = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    int rows = options.rows();
    int cols = options.cols();
    // Told once an input (a file's is a stat): why each is no image to read, null for those that may be.
    List<String> problems = files.stream().map(ImageInput::problem).toList();
    List<ImageInput> readable = java.util.stream.IntStream.range(0, files.size())
        .filter(f -> problems.get(f) == null).mapToObj(files::get).toList();
    boolean rgb = switch (options.color()) {
      case GRAY -> false;
      case RGB -> true;
      case AUTO -> inColour(readable);
    };
    int channels = rgb ? 3 : 1;
    byte[] data = new byte[0];
    int count = 0;
    long imageFiles = readable.size();
    if (rows > 0) {
      requireRoom(dir, imageFiles, rows, cols, channels, options);
    }
    ReadingProgress said = new ReadingProgress(progress);
    for (int f = 0; f < files.size(); f++) {
      int done = f;
      said.tick(seconds -> String.format(Locale.ROOT, "  read %,d of %,d images (%d s)", done, files.size(), seconds));
      ImageInput file = files.get(f);
      String id = fileIds.get(f);
      String problem = problems.get(f);
      if (problem != null) {
        skipped.skip(id, problem);
        continue;
      }
      BufferedImage image;
      try {
        image = file.read();
      } catch (IOException | RuntimeException e) {
        skipped.skip(id, "cannot be decoded: " + e.getMessage());
        continue;
      }
      if (image == null) {
        skipped.skip(id, "cannot be decoded (not a PNG, JPEG, BMP, GIF, TIFF or WebP inside)");
        continue;
      }
      if (rows == 0) {
        int[] size = defaultSize(image.getHeight(), image.getWidth());
        rows = size[0];
        cols = size[1];
        requireRoom(dir, imageFiles, rows, cols, channels, options);
      }
      int size = rows * cols * channels;
      if ((long) (count + 1) * size > data.length) {
        data = Arrays.copyOf(data, (int) Math.min(options.maxBytes(),
            Math.max((long) (count + 1) * size, 2L * data.length)));
      }
      ImagePixels.pixels(image, rows, cols, rgb, data, count * size);
      String label = fileLabels.get(f);
      if (label != null) {
        classes.add(label);
      }
      ids.add(id);
      labels.add(label);
      count++;
    }
    if (count == 0) {
      throw new DatasetException(dir + (Files.isDirectory(dir) ? " holds" : " lists") + " no image that could be read ("
          + EXTENSIONS.stream().sorted().toList() + (Files.isDirectory(dir) ? " in one subfolder per class" : "")
          + "; " + skipped + ")");
    }
    ImageFolderSource source = new ImageFolderSource(name, rows, cols, channels,
        data, List.copyOf(ids), labels.toArray(String[]::new),
        List.copyOf(classes), skipped);
    LOGGER.atInfo().addKeyValue("source", dir).addKeyValue("examples", count)
        .addKeyValue("itemShape", Arrays.toString(source.itemShape())).addKeyValue("classes", classes.size())
        .addKeyValue("skipped", skipped.count()).addKeyValue("millis", (System.nanoTime() - started) / 1_000_000)
        .log("image folder read");
    return source;
  }

  /**
   * Whether a folder's images are in colour: of up to {@value #COLOUR_SAMPLE} of {@code images} (those that may be
   * read: no {@link ImageInput#problem}) spread evenly over them, one that decodes to a colour file with at least 1%
   * of its pixels coloured (two channels more than {@value #COLOUR_DIFFERENCE} apart) says yes. Gray files, and
   * colour files of gray content (a scan saved as RGB JPEG), say no.
   */
  static boolean inColour(List<ImageInput> images) {
    int step = Math.max(1, images.size() / COLOUR_SAMPLE);
    for (int i = 0; i < images.size(); i += step) {
      BufferedImage image;
      try {
        image = images.get(i).read();
      } catch (IOException | RuntimeException e) {
        continue; // reported when the folder is read
      }
      if (image != null && coloured(image)) {
        return true;
      }
    }
    return false;
  }

  private static boolean coloured(BufferedImage image) {
    if (image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY) {
      return false;
    }
    long coloured = 0;
    long pixels = (long) image.getWidth() * image.getHeight();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int argb = image.getRGB(x, y);
        int r = (argb >> 16) & 0xff;
        int g = (argb >> 8) & 0xff;
        int b = argb & 0xff;
        if (Math.abs(r - g) > COLOUR_DIFFERENCE || Math.abs(g - b) > COLOUR_DIFFERENCE
            || Math.abs(r - b) > COLOUR_DIFFERENCE) {
          coloured++;
        }
      }
    }
    return coloured * 100 >= pixels;
  }

  /**
   * The size images are scaled to when the options name none: the first image's, its longer side
   * brought down to {@link #DEFAULT_MAX_SIDE} (a 1024x768 photo becomes 64x48): enough for the
   * small networks trained here, which at full size would spend minutes an epoch on the pixels.
   */
  static int[] defaultSize(int height, int width) {
    int longer = Math.max(height, width);
    if (longer <= DEFAULT_MAX_SIDE) {
      return new int[] {height, width};
    }
    return new int[] {Math.max(1, Math.round((float) height * DEFAULT_MAX_SIDE / longer)),
        Math.max(1, Math.round((float) width * DEFAULT_MAX_SIDE / longer))};
  }

  /** Whether {@code file}'s name ends in one of the {@link #EXTENSIONS}, in any case. */
  public static boolean isImageFile(Path file) {
    return isImageFile(file.getFileName().toString());
  }

  /** Whether {@code name} ends in one of the {@link #EXTENSIONS}, in any case. */
  static boolean isImageFile(String name) {
    int dot = name.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return ids.size();
  }

  @Override
  public int[] imageShape() {
    return itemShape();
  }

  /** The shape of one item: {@code [rows, cols]} in gray, {@code [3, rows, cols]} in RGB; a copy. */
  public int[] itemShape() {
    return channels == 1 ? new int[] {rows, cols} : new int[] {channels, rows, cols};
  }

  /** The image at {@code index} as floats in [0, 1]: a new array each call, so callers may change it. */
  @Override
  public Example get(int index) {
    Objects.checkIndex(index, size());
    return new Example(ids.get(index), null, IdxSource.unitFloats(data, index * itemSize, itemSize), labels[index]);
  }

  @Override
  public String label(int index) {
    Objects.checkIndex(index, size());
    return labels[index];
  }

  /** The subfolders' names, in natural order (class2 before class10). */
  @Override
  public List<String> classes() {
    return classes;
  }

  @Override
  public SkipReport skipped() {
    return skipped;
  }
}
