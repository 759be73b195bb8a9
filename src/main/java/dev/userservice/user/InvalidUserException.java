package dev.userservice.user;

/** A request body that breaks a rule; the message is written for the client and names the field. */
public class InvalidUserException extends RuntimeException {
  public InvalidUserException(String message) {
    super(message, null, false, false);
  }
}
