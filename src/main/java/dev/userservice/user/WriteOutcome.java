package dev.userservice.user;

/** How a conditional update or delete ended; {@code version} is the new one after an update. */
public record WriteOutcome(Result result, long version) {
  public enum Result { DONE, NOT_FOUND, VERSION_MISMATCH }

  static final WriteOutcome NOT_FOUND = new WriteOutcome(Result.NOT_FOUND, 0);
  static final WriteOutcome VERSION_MISMATCH = new WriteOutcome(Result.VERSION_MISMATCH, 0);

  static WriteOutcome done(long version) {
    return new WriteOutcome(Result.DONE, version);
  }
}
