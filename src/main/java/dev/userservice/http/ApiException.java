package dev.userservice.http;

/** A request the API refuses with a 4xx; the message goes to the client as it is. */
public class ApiException extends RuntimeException {
  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
