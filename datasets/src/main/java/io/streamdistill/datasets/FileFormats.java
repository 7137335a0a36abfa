package io.streamdistill.datasets;

import io.streamdistill.datasets.TabularSource.Format;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What format a file given as a source is in when its name does not say, and what to do with one that is no text
 * this reads (a table pandas writes in a binary format, an archive). Stateless.
 */
final class FileFormats {
  private FileFormats() {}

  /**
   * The format of a file by its extension, else by its first characters: JSON when the first is a brace or a
   * bracket, fastText lines at {@code __label__}, ARFF at {@code @relation}, else delimited text (CSV; its delimiter
   * is told from its lines), said to {@code notes}.
   *
   * @throws IllegalArgumentException for a file of unknown extension that is not text (a NUL byte in its start)
   */
  static Format of(Path file, Consumer<String> notes) {
    try {
      return Format.fromFileName(file.getFileName().toString());
    } catch (IllegalArgumentException unknown) {
      byte[] head;
      try {
        head = Inputs.head(file, 4096);
      } catch (IOException e) {
        throw new DatasetException("cannot read " + file + ": " + e, e);
      }
      if (ParquetRows.isParquet(head)) {
        notes.accept(file.getFileName() + ": no known extension, so read as Parquet by its first bytes (PAR1)");
        return Format.PARQUET;
      }
      boolean utf16 = Inputs.isUtf16(head);
      String start = new String(head, utf16 ? java.nio.charset.StandardCharsets.UTF_16
          : java.nio.charset.StandardCharsets.ISO_8859_1);
      if (!utf16 && start.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(unknown.getMessage() + "; and it is not text (a NUL byte in its first"
            + " bytes): CSV, JSON, fastText lines, ARFF, Parquet, .xlsx or IDX images are read" + conversionHint(file),
            unknown);
      }
      String first = start.replace("\u00EF\u00BB\u00BF", "").strip();
      Format told = first.startsWith("{") || first.startsWith("[") ? Format.JSON_LINES
          : FastTextRows.isExample(first) ? Format.FASTTEXT : ArffRows.looksLikeArff(first) ? Format.ARFF
          : Format.CSV;
      notes.accept(file.getFileName() + ": no known extension, so read as " + switch (told) {
        case CSV -> "delimited text (CSV)";
        case JSON_LINES -> "JSON";
        case FASTTEXT -> "fastText lines (" + FastTextRows.PREFIX + "LABEL, then the text)";
        case ARFF -> "ARFF (@relation, @attribute, @data)";
        case PARQUET -> "Parquet";
        case EXCEL -> "Excel";
      } + " by its first characters (--format to choose)");
      return told;
    }
  }

  /**
   * How to turn a table in a binary format pandas reads (an .xls of Excel 97, Feather) into a CSV, or to unpack an
   * archive (a .zip as Kaggle downloads come, .tar.gz, .xz), or "".
   */
  private static String conversionHint(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String given = file.getFileName().toString();
    String unpack = name.endsWith(".zip") ? "unzip " + given + " -d " + given.substring(0, given.length() - 4)
        : name.endsWith(".tar") || name.endsWith(".tar.gz") || name.endsWith(".tgz") ? "tar xf " + given
        : name.endsWith(".xz") ? "unxz -k " + given
        : name.endsWith(".7z") ? "7z x " + given : null;
    if (unpack != null) {
      return "; it is an archive: unpack it first (" + unpack + ") and give the file or folder inside";
    }
    String reader = name.endsWith(".xls") ? "read_excel"
        : name.endsWith(".feather") || name.endsWith(".arrow") ? "read_feather" : null;
    // The same endings as Format.BINARY_TABLES, each with its pandas reader.
    return reader == null ? "" : "; write it as CSV first, e.g. python3 -c \"import pandas as pd; pd." + reader
        + "('" + file.getFileName() + "').to_csv('" + file.getFileName().toString().replaceFirst("\\.[^.]+$", "")
        + ".csv', index=False)\"";
  }

  /** Why CSV's options do not apply to a file of {@code format}. */
  static String notCsv(Format format) {
    return switch (format) {
      case FASTTEXT -> "fastText lines are a label and a text (columns label, text)";
      case ARFF -> "ARFF names its attributes";
      case PARQUET -> "Parquet names its columns";
      case EXCEL -> "an Excel sheet's first row names its columns";
      default -> "JSON Lines name their values";
    };
  }
}
