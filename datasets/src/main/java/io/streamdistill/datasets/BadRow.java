package io.streamdistill.datasets;

/** Why a row is skipped, and the column at fault if one is; no stack trace, it is control flow. */
final class BadRow extends Exception {
  private static final long serialVersionUID = 1L;
  final String column;

  BadRow(String reason) {
    this(null, reason);
  }

  BadRow(String column, String reason) {
    super(reason, null, false, false);
    this.column = column;
  }
}
