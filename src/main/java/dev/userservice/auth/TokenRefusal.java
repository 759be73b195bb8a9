package dev.userservice.auth;

import java.util.Locale;

/** Why a request's token was refused: the `reason` label of auth_tokens_refused_total. */
public enum TokenRefusal {
  MISSING, MALFORMED, SIGNATURE, EXPIRED, ISSUER, AUDIENCE, UNKNOWN_KEY;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
