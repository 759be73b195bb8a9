package dev.userservice.user;

/** Another user already has this username (the unique constraint said so). */
public class UsernameTakenException extends RuntimeException {
  public UsernameTakenException() {
    super("username already taken", null, false, false);
  }
}
