package io.streamdistill.reliability;

/** Something the campaign needed did not happen (a process did not start, a condition was not met in time). */
public class CampaignException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CampaignException(String message) {
    super(message);
  }

  public CampaignException(String message, Throwable cause) {
    super(message, cause);
  }
}
