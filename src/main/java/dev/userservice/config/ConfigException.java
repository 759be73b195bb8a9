package dev.userservice.config;

/** A setting that cannot be used; its message names the variable. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
