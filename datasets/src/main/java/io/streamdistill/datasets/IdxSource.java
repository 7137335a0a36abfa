package io.streamdistill.datasets;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images (or any arrays of unsigned bytes) from an IDX file, the format of MNIST and its kin
 * (Fashion-MNIST, KMNIST, EMNIST), with their labels from a second IDX file if there is one. Each
 * file may be gzipped or not, whatever its name says. Each example is one item as floats in [0, 1]
 * (byte / 255, row-major, {@code rows * cols} values for images), labelled by its label's decimal
 * value ("0" to "255"); unlabelled without a labels file.
 *
 * <pre>{@code
 * IdxSource fashion = IdxSource.read(Path.of("train-images-idx3-ubyte.gz"),
 *     Path.of("train-labels-idx1-ubyte.gz"));
 * fashion.itemShape();  // [28, 28]
 * fashion.get(0);       // id train-images-idx3-ubyte-00000, 784 floats, label "9"
 * }</pre>
 *
 * <p>An IDX file is a big-endian header (two zero bytes, the element type, 0x08 for unsigned bytes,
 * the number of dimensions N, then N sizes) and the data. Ids are the source's name and the index,
 * zero-padded to at least five digits so that they sort like indexes; the name is the images file's
 * name without {@code .gz} unless given. {@link MnistSource} reads MNIST through this class, so
 * that the built-in data set and the user's files are one code path.
 *
 * <p>The bytes stay as one array (47 MB for MNIST's 60,000 images instead of 188 MB of floats);
 * {@link #get} makes the float vector of one item when asked. Immutable and thread-safe.
 */
public final class IdxSource implements ExampleSource {
  private static final Logger LOGGER = LoggerFactory.getLogger(IdxSource.class);
  private static final int UNSIGNED_BYTE = 0x08;
  private static final String[] LABEL_NAMES = new String[256];

  static {
    for (int i = 0; i < LABEL_NAMES.length; i++) {
      LABEL_NAMES[i] = Integer.toString(i);
    }
  }

  private final String name;
  private final int count;
  private final int[] itemShape;
  private final int itemSize;
  private final byte[] data;
  private final byte[] labels;
  private final List<String> classes;
  private final int idDigits;

  private IdxSource(String name, int[] dims, byte[] data, byte[] labels) {
    this.name = name;
    this.count = dims[0];
    this.itemShape = Arrays.copyOfRange(dims, 1, dims.length);
    this.itemSize = Arrays.stream(itemShape).reduce(1, (a, b) -> a * b);
    this.data = data;
    this.labels = labels;
    List<String> present = new ArrayList<>();
    if (labels != null) {
      boolean[] seen = new boolean[256];
      for (byte label : labels) {
        seen[label & 0xff] = true;
      }
      for (int value = 0; value < seen.length; value++) {
        if (seen[value]) {
          present.add(LABEL_NAMES[value]);
        }
      }
    }
    this.classes = List.copyOf(present);
    this.idDigits = Math.max(5, Integer.toString(Math.max(0, count - 1)).length());
  }

  /**
   * Reads images (any IDX file of unsigned bytes with two or more dimensions: count, then the shape
   * of one item) and, when {@code labels} is not null, their labels (an IDX file of unsigned bytes
   * with one dimension, as many as images). The source is named after the images file.
   *
   * @throws DatasetException when a file is missing, is not an IDX file of the expected kind, is
   *     truncated or too long, or when the two disagree on the count
   */
  public static IdxSource read(Path images, Path labels) {
    return read(Inputs.baseName(images), images, labels);
  }

  /** As {@link #read(Path, Path)}, with the source's name (the ids' prefix) given. */
  public static IdxSource read(String name, Path images, Path labels) {
    return read(name, images, labels, 0);
  }

  /**
   * As {@link #read(String, Path, Path)}; {@code imageDims} is the exact number of dimensions the
   * images file must have (3 for MNIST), or 0 for any of 2 or more.
   */
  static IdxSource read(String name, Path images, Path labels, int imageDims) {
    Objects.requireNonNull(name, "name");
    long started = System.nanoTime();
    Idx items = readIdx(images, imageDims, false);
    Idx labelData = null;
    if (labels != null) {
      labelData = readIdx(labels, 1, true);
      if (labelData.dims[0] != items.dims[0]) {
        throw new DatasetException(labels + " has " + labelData.dims[0] + " labels but " + images + " has "
            + items.dims[0] + " images; give the labels file of the same set (e.g. train-labels-idx1-ubyte"
            + " with train-images-idx3-ubyte)");
      }
    }
    IdxSource source = new IdxSource(name, items.dims, items.data, labelData == null ? null : labelData.data);
    LOGGER.atInfo().addKeyValue("source", name).addKeyValue("examples", source.count)
        .addKeyValue("itemShape", Arrays.toString(source.itemShape)).addKeyValue("labelled", labels != null)
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("IDX data set read");
    return source;
  }

  /**
   * Whether {@code file} (gunzipped if need be) starts like an IDX file of unsigned bytes: two zero
   * bytes, 0x08, and 1 to 4 dimensions. No CSV or JSON file starts with a zero byte.
   */
  public static boolean looksLikeIdx(Path file) {
    try {
      byte[] head = Inputs.head(file, 4);
      return head.length == 4 && head[0] == 0 && head[1] == 0 && head[2] == UNSIGNED_BYTE && head[3] >= 1
          && head[3] <= 4;
    } catch (IOException e) {
      return false;
    }
  }

  /** The dimensions and the unsigned-byte data of an IDX file. */
  private record Idx(int[] dims, byte[] data) {
  }

  private static Idx readIdx(Path file, int expectedDims, boolean isLabels) {
    try (InputStream in = Inputs.open(file); DataInputStream data = new DataInputStream(in)) {
      int magic = data.readInt();
      int type = (magic >>> 8) & 0xff;
      int dimCount = magic & 0xff;
      boolean dimsOk = expectedDims > 0 ? dimCount == expectedDims : dimCount >= 2 && dimCount <= 4;
      if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || !dimsOk) {
        String expected = expectedDims > 0 ? "0x" + String.format("%08x", 0x800 | expectedDims)
            : "0x00000802 to 0x00000804 (unsigned bytes; count, then the shape of an image)";
        String hint = isLabels
            ? "; give the labels file (e.g. train-labels-idx1-ubyte[.gz]), or none for unlabelled images"
            : dimCount == 1 && (magic >>> 8) == UNSIGNED_BYTE
                ? "; this looks like a labels file: give the images file as the source and this one as the labels"
                : "; only IDX files of unsigned bytes (type 0x08) are read";
        throw new DatasetException(file + " is not an IDX file of unsigned bytes " + (isLabels ? "labels" : "images")
            + ": magic number 0x" + String.format("%08x", magic) + ", expected " + expected + hint);
      }
      int[] dims = new int[dimCount];
      long total = 1;
      for (int d = 0; d < dimCount; d++) {
        dims[d] = data.readInt();
        if (dims[d] <= 0) {
          throw new DatasetException(file + ": dimension " + d + " is " + dims[d] + ", must be positive");
        }
        total *= dims[d];
        if (total > Integer.MAX_VALUE - 16) {
          throw new DatasetException(file + ": dimensions " + describe(dims, d + 1) + " are too large"
              + " (more than 2 GB); split the file");
        }
      }
      byte[] bytes = data.readNBytes((int) total);
      if (bytes.length < total) {
        throw new DatasetException(file + " is truncated: its header " + describe(dims, dimCount)
            + " announces " + total + " bytes of data, it has " + bytes.length);
      }
      if (data.read() != -1) {
        throw new DatasetException(file + " has bytes after the " + total + " its header "
            + describe(dims, dimCount) + " announces");
      }
      return new Idx(dims, bytes);
    } catch (EOFException e) {
      throw new DatasetException(file + " is truncated: it ends inside its header", e);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new DatasetException((isLabels ? "labels file " : "images file ") + file + " does not exist", e);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e, e);
    }
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

  /** The shape of one item, e.g. {@code [28, 28]}; a copy. */
  public int[] itemShape() {
    return itemShape.clone();
  }

  /** The item's shape when it has two or three dimensions (images), else none. */
  @Override
  public int[] imageShape() {
    return itemShape.length == 2 || itemShape.length == 3 ? itemShape() : new int[0];
  }

  /** The item at {@code index} as floats in [0, 1]: a new array each call, so callers may change it. */
  @Override
  public Example get(int index) {
    Objects.checkIndex(index, count);
    return new Example(id(index), null, unitFloats(data, index * itemSize, itemSize), label(index));
  }

  /** {@code size} unsigned bytes from {@code offset} as floats in [0, 1] (byte / 255): pixels as images give them. */
  static float[] unitFloats(byte[] data, int offset, int size) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (data[offset + i] & 0xff) / 255f;
    }
    return values;
  }

  private String id(int index) {
    String digits = Integer.toString(index);
    StringBuilder id = new StringBuilder(name.length() + idDigits + 1).append(name).append('-');
    for (int i = digits.length(); i < idDigits; i++) {
      id.append('0');
    }
    return id.append(digits).toString();
  }

  /** The label's decimal value, or null without a labels file. */
  @Override
  public String label(int index) {
    Objects.checkIndex(index, count);
    return labels == null ? null : LABEL_NAMES[labels[index] & 0xff];
  }

  /** The label's value as a number, or -1 without a labels file. */
  int labelValue(int index) {
    return labels == null ? -1 : labels[index] & 0xff;
  }

  /** The label values present, in numeric order; empty without a labels file. */
  @Override
  public List<String> classes() {
    return classes;
  }

  /** An IDX file is read whole or not at all: nothing is ever skipped. */
  @Override
  public SkipReport skipped() {
    return new SkipReport();
  }
}
