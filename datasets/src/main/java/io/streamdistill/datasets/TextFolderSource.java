package io.streamdistill.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text files in a folder, one subfolder per class: the layout of scikit-learn's {@code load_files}, the 20
 * Newsgroups and IMDB review archives, and Keras' {@code text_dataset_from_directory}.
 *
 * <pre>{@code
 * reviews/pos/0_9.txt        label "pos", id "pos/0_9.txt", its whole content the text
 * reviews/neg/a/1_2.txt      label "neg" (deeper folders belong to their class folder)
 * news/sci.space/60154       any name: a file without an extension is read too
 * reviews/notes.txt          no label (a file directly in the folder)
 * }</pre>
 *
 * <p>Each file is one example. Its bytes are UTF-8, else windows-1252 (as {@link Inputs#openText} tells them);
 * gzipped files are read unzipped. Hidden files are ignored; an image, a file with a NUL byte in its first 8 KiB
 * (binary), an empty or blank one, or one longer than {@code maxChars} characters is skipped and reported. The
 * texts held are bounded: a folder whose text files hold more bytes than {@code maxBytes} is refused before any is
 * read, with what to do.
 *
 * <p>Read-only after construction and thread-safe.
 */
public final class TextFolderSource implements ExampleSource {
  private static final Logger LOGGER = LoggerFactory.getLogger(TextFolderSource.class);
  /** The bytes looked at for a NUL, the mark of a binary file. */
  private static final int BINARY_SNIFF = 8192;

  private final String name;
  private final List<String> ids;
  private final String[] texts;
  private final String[] labels;
  private final List<String> classes;
  private final SkipReport skipped;

  private TextFolderSource(String name, List<String> ids, String[] texts, String[] labels, List<String> classes,
      SkipReport skipped) {
    this.name = name;
    this.ids = ids;
    this.texts = texts;
    this.labels = labels;
    this.classes = classes;
    this.skipped = skipped;
  }

  /**
   * Whether the folder {@code dir} holds text files rather than images: files, and none of them an image
   * ({@link ImageFolderSource#isImageFile}). A folder of images with a stray README is a folder of images.
   */
  public static boolean holdsText(Path dir) {
    List<Path> files = ClassFolders.files(dir);
    return !files.isEmpty() && files.stream().noneMatch(ImageFolderSource::isImageFile);
  }

  /** Reads every text file under {@code dir}, the source named after the folder. */
  public static TextFolderSource read(Path dir, int maxChars, long maxBytes) {
    return read(dir, ClassFolders.name(dir, "texts"), maxChars, maxBytes);
  }

  /**
   * Reads every text file under {@code dir}.
   *
   * @param maxChars a longer file is skipped
   * @param maxBytes the folder's files may hold this many bytes together, at most
   * @throws DatasetException when the folder cannot be listed, holds more than {@code maxBytes} or no readable text
   */
  public static TextFolderSource read(Path dir, String name, int maxChars, long maxBytes) {
    return read(dir, name, maxChars, maxBytes, 0);
  }

  /** As {@link #read(Path, String, int, long)}, a uniform random sample of {@code sample} files (0: all). */
  public static TextFolderSource read(Path dir, String name, int maxChars, long maxBytes, int sample) {
    Objects.requireNonNull(name, "name");
    long started = System.nanoTime();
    List<Path> files = ClassFolders.sample(ClassFolders.files(dir), sample);
    requireRoom(dir, files, maxBytes);
    SkipReport skipped = new SkipReport();
    Set<String> classes = new TreeSet<>(NaturalOrder.COMPARATOR);
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (Path file : files) {
      String id = ClassFolders.id(dir, file);
      if (ImageFolderSource.isImageFile(file)) {
        skipped.skip(id, "an image in a folder of text files");
        continue;
      }
      String text;
      try {
        text = readText(file, maxChars);
      } catch (IOException e) {
        skipped.skip(id, "cannot be read: " + e.getMessage());
        continue;
      }
      if (text == null) {
        skipped.skip(id, "binary (a NUL byte in its first " + BINARY_SNIFF + " bytes), not text");
      } else if (text.length() > maxChars) {
        skipped.skip(id, "longer than " + maxChars + " characters (--max-line-chars)");
      } else if (text.isBlank()) {
        skipped.skip(id, "empty");
      } else {
        String label = ClassFolders.label(dir, file);
        if (label != null) {
          classes.add(label);
        }
        ids.add(id);
        texts.add(text);
        labels.add(label);
      }
    }
    if (ids.isEmpty()) {
      throw new DatasetException(dir + " holds no text file that could be read (one subfolder per class; "
          + skipped + ")");
    }
    TextFolderSource source = new TextFolderSource(name, List.copyOf(ids), texts.toArray(String[]::new),
        labels.toArray(String[]::new), List.copyOf(classes), skipped);
    LOGGER.atInfo().addKeyValue("source", dir).addKeyValue("examples", ids.size())
        .addKeyValue("classes", classes.size()).addKeyValue("skipped", skipped.count())
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("text folder read");
    return source;
  }

  /**
   * Refuses a folder whose files would not fit, before any is read: each file's size bounds the characters its
   * text holds (one byte a character as Java keeps Latin text, two for others: bounded by the bytes too).
   */
  private static void requireRoom(Path dir, List<Path> files, long maxBytes) {
    long total = 0;
    for (Path file : files) {
      try {
        total += Files.size(file);
      } catch (IOException e) {
        LOGGER.atDebug().addKeyValue("file", file).log("no size (its reading will say why): " + e);
      }
    }
    if (total > maxBytes) {
      throw new DatasetException(String.format(Locale.ROOT, "%s holds %,d files of %,d MB, more than the %,d MB a data"
          + " set may take in this JVM (%d%% of its heap): give the JVM more (%s ./distill ...), or keep a"
          + " sample of its files (--sample %d)", dir, files.size(), total >> 20, maxBytes >> 20,
          TabularSource.HEAP_PERCENT, TabularSource.largerHeap(), Math.max(1, files.size() * (maxBytes / 2) / total)));
    }
  }

  /** The file's text; null when it is binary; longer than {@code maxChars} when it is (its start only). */
  private static String readText(Path file, int maxChars) throws IOException {
    byte[] bytes;
    try (InputStream in = Inputs.open(file)) {
      // At most 4 bytes a character in UTF-8: a longer file is too long whatever it holds.
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, 4L * maxChars + 1));
    }
    Charset charset = Inputs.charsetOf(bytes);
    // UTF-16 (a byte order mark first: Windows' "Unicode" text) has NUL bytes and is text.
    for (int i = 0; i < Math.min(bytes.length, BINARY_SNIFF) && !charset.equals(StandardCharsets.UTF_16); i++) {
      if (bytes[i] == 0) {
        return null;
      }
    }
    String text = new String(bytes, charset);
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      text = text.substring(1);
    }
    return text;
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
  public Example get(int index) {
    Objects.checkIndex(index, size());
    return new Example(ids.get(index), texts[index], null, labels[index]);
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
