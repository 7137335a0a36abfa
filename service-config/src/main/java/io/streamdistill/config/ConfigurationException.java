package io.streamdistill.config;

/** A setting is missing or wrong; the message names it and says how to give it. */
public class ConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message);
  }
}
