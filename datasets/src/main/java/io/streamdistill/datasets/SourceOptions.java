package io.streamdistill.producers;

import io.streamdistill.datasets.DatasetCache;
import io.streamdistill.datasets.ExampleSource;
import io.streamdistill.datasets.MnistSource;
import io.streamdistill.datasets.SpamAssassinSource;
import io.streamdistill.datasets.TabularSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options that say where examples come from (a picocli mixin of the produce command). */
final class SourceOptions {

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Where fetched data sets are kept. Default: $DISTILL_CACHE_DIR, else ~/.cache/stream-distill.")
  Path cacheDir;

  @Option(names = "--text-column", paramLabel = "NAME", description = "File sources: the column holding the text.")
  String textColumn;

  @Option(names = "--vector-column", paramLabel = "NAME", split = ",",
      description = "File sources: the column holding the vector (a JSON array or numbers separated by spaces or"
          + " semicolons), or several numeric columns, comma-separated.")
  List<String> vectorColumns;

  @Option(names = "--vector-prefix", paramLabel = "PREFIX",
      description = "File sources (CSV): every column whose name starts with PREFIX is one vector component, in order.")
  String vectorPrefix;

  @Option(names = "--vector-width", paramLabel = "N", defaultValue = "0",
      description = "File sources: expected vector width; rows of another width are skipped. Default: the width of"
          + " the first good row.")
  int vectorWidth;

  @Option(names = "--label-column", paramLabel = "NAME", description = "File sources: the ground-truth label column.")
  String labelColumn;

  @Option(names = "--id-column", paramLabel = "NAME",
      description = "File sources: the id column. Default: file name and line number.")
  String idColumn;

  /**
   * Opens a source by its command-line name.
   *
   * @throws IllegalArgumentException for an unknown name or a file source without columns
   */
  ExampleSource open(String source) {
    String name = source.toLowerCase(Locale.ROOT);
    return switch (name) {
      case "mnist-train" -> MnistSource.train(cache());
      case "mnist-test" -> MnistSource.test(cache());
      case "spamassassin" -> SpamAssassinSource.load(cache());
      default -> openFile(source);
    };
  }

  private ExampleSource openFile(String source) {
    Path file = Path.of(source);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--source " + source + " is neither mnist-train, mnist-test, spamassassin"
          + " nor an existing .jsonl or .csv file");
    }
    TabularSource.Columns columns = new TabularSource.Columns(textColumn, vectorColumns, vectorPrefix, labelColumn,
        idColumn, vectorWidth);
    return TabularSource.read(file, columns);
  }

  private DatasetCache cache() {
    return cacheDir == null ? DatasetCache.atDefaultDirectory() : new DatasetCache(cacheDir);
  }
}
