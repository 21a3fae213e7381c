package dev.temperstore.config;

/** Configuration that cannot work; the message is one line that names the key and what is wrong with it. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
