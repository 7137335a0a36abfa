package io.streamdistill.datasets;

/**
 * A data set could not be fetched, verified, unpacked or read. The message names the file or
 * package involved and, where there is one, what the user can do about it (install npm, delete a
 * corrupt cache entry, fix a column name).
 */
public class DatasetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
