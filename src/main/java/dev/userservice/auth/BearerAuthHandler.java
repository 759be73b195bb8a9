package dev.userservice.auth;

import dev.userservice.http.Responses;
import dev.userservice.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.Map;

/**
 * In front of every /user route when AUTH_MODE=oidc: no bearer token is a 401 "authentication
 * required", a token that breaks a rule a 401 "invalid token" (counted by reason, never echoed),
 * and a valid one leaves its {@link Principal} in the context for the handlers.
 */
public final class BearerAuthHandler {
  private static final String PRINCIPAL = "principal";
  private static final String CHALLENGE = "Bearer realm=\"user-service\"";
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("www-authenticate");

  private final TokenVerifier verifier;
  private final Map<TokenRefusal, Counter> refused = new EnumMap<>(TokenRefusal.class);

  public BearerAuthHandler(TokenVerifier verifier, Metrics metrics) {
    this.verifier = verifier;
    for (TokenRefusal reason : TokenRefusal.values()) {
      refused.put(reason, metrics.refusedTokens(reason.label()));
    }
  }

  /** The caller of a request this handler let through; null when auth is off. */
  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  public void handle(RoutingContext ctx) {
    var values = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
    if (values.isEmpty()) {
      refused.get(TokenRefusal.MISSING).increment();
      ctx.response().putHeader(WWW_AUTHENTICATE, CHALLENGE);
      Responses.message(ctx, 401, "authentication required");
      return;
    }
    String header = values.getFirst();
    if (values.size() > 1 || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      refuse(ctx, new InvalidTokenException(TokenRefusal.MALFORMED, "not one bearer token"));
      return;
    }
    verifier.verify(header.substring(7).trim()).onComplete(checked -> {
      if (checked.succeeded()) {
        ctx.put(PRINCIPAL, checked.result());
        ctx.next();
      } else if (checked.cause() instanceof InvalidTokenException invalid) {
        refuse(ctx, invalid);
      } else {
        ctx.fail(checked.cause());
      }
    });
  }

  private void refuse(RoutingContext ctx, InvalidTokenException invalid) {
    refused.get(invalid.reason()).increment();
    ctx.response().putHeader(WWW_AUTHENTICATE, CHALLENGE + ", error=\"invalid_token\", error_description=\""
        + invalid.getMessage() + "\"");
    Responses.message(ctx, 401, "invalid token");
  }
}
