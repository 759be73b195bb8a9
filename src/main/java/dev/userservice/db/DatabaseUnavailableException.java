package dev.userservice.db;

/** The database could not be reached, or no connection came free in time: a 503, not a bug. */
public class DatabaseUnavailableException extends RuntimeException {
  public DatabaseUnavailableException(Throwable cause) {
    super("database unavailable: " + cause.getClass().getSimpleName(), cause);
  }
}
