package dev.userservice.auth;

/** A bearer token that breaks a rule: answered 401 "invalid token", counted by its reason. */
public final class InvalidTokenException extends RuntimeException {
  private final TokenRefusal reason;

  public InvalidTokenException(TokenRefusal reason, String rule) {
    super(rule, null, false, false); // no stack trace: thrown for every bad token
    this.reason = reason;
  }

  public TokenRefusal reason() {
    return reason;
  }
}
