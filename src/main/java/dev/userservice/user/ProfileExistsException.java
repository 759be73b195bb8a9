package dev.userservice.user;

/** The subject already owns a profile (API 1.2: one per subject; the unique index said so). */
public class ProfileExistsException extends RuntimeException {
  public ProfileExistsException() {
    super("this account already has a profile", null, false, false);
  }
}
