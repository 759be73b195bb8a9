package dev.userservice.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.userservice.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.text.ParseException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks bearer tokens as the contract lists the rules: a JWS signed with an asymmetric
 * algorithm by a key of the issuer, the issuer and audience, exp and nbf with 30 s of skew, a
 * subject. A token already verified is kept (a small LRU, one per event loop, so no locking)
 * until it expires or the key set changes, so a request with a token costs a map lookup.
 */
public final class TokenVerifier {
  /** A Keycloak access token is 1-2 KB; headers are capped at 8 KiB anyway (431). */
  static final int MAX_TOKEN_CHARS = 8192;
  private static final long SKEW_MILLIS = 30_000;
  private static final int CACHE_SIZE = 4096;
  private static final Set<JWSAlgorithm> ALLOWED = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private record Verified(Principal principal, long expiresAtMillis, long keyGeneration) {
  }

  private final Config.Auth settings;
  private final IssuerKeys keys;
  private final Vertx vertx;
  private final Map<String, Verified> cache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  public TokenVerifier(Config.Auth settings, IssuerKeys keys, Vertx vertx) {
    this.settings = settings;
    this.keys = keys;
    this.vertx = vertx;
  }

  /** The token's principal, or a failed future with an {@link InvalidTokenException}. Call on the event loop. */
  public Future<Principal> verify(String token) {
    long now = System.currentTimeMillis();
    Verified kept = cache.get(token);
    if (kept != null && kept.keyGeneration() == keys.generation() && now < kept.expiresAtMillis() + SKEW_MILLIS) {
      return Future.succeededFuture(kept.principal());
    }
    SignedJWT jwt;
    try {
      jwt = parse(token);
    } catch (InvalidTokenException e) {
      return Future.failedFuture(e);
    }
    String keyId = jwt.getHeader().getKeyID();
    if (keys.key(keyId) != null) {
      return check(token, jwt, now);
    }
    // A key the service does not hold: the issuer may have rotated. Fetch again (rate-limited,
    // never on this thread), then check once more.
    return Future.fromCompletionStage(keys.refetchForUnknownKey(), vertx.getOrCreateContext())
        .compose(fetched -> keys.key(keyId) != null ? check(token, jwt, System.currentTimeMillis())
            : Future.failedFuture(new InvalidTokenException(TokenRefusal.UNKNOWN_KEY, "signed by a key the issuer does not list")));
  }

  private Future<Principal> check(String token, SignedJWT jwt, long now) {
    try {
      long generation = keys.generation();
      verifySignature(jwt, keys.key(jwt.getHeader().getKeyID()));
      JWTClaimsSet claims = claims(jwt);
      Date expires = checkClaims(claims, now);
      Principal principal = new Principal(claims.getSubject(), hasRole(claims, settings.adminRole()));
      cache.put(token, new Verified(principal, expires.getTime(), generation));
      return Future.succeededFuture(principal);
    } catch (InvalidTokenException e) {
      return Future.failedFuture(e);
    }
  }

  private static SignedJWT parse(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new InvalidTokenException(TokenRefusal.MALFORMED, "token too long");
    }
    if (token.chars().filter(c -> c == '.').count() != 2) {
      throw new InvalidTokenException(TokenRefusal.MALFORMED, "not a signed JWT");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token); // also refuses alg "none": that is no signature algorithm
    } catch (ParseException | RuntimeException e) {
      throw new InvalidTokenException(TokenRefusal.MALFORMED, "not a signed JWT");
    }
    if (!ALLOWED.contains(jwt.getHeader().getAlgorithm())) {
      // HMAC included: with a public key as its secret, anyone could sign.
      throw new InvalidTokenException(TokenRefusal.SIGNATURE, "algorithm not allowed");
    }
    return jwt;
  }

  private static void verifySignature(SignedJWT jwt, JWK key) {
    try {
      JWSVerifier verifier = switch (key) {
        case RSAKey rsa when jwt.getHeader().getAlgorithm().getName().matches("[RP]S\\d+") -> new RSASSAVerifier(rsa);
        case ECKey ec when jwt.getHeader().getAlgorithm().getName().startsWith("ES") -> new ECDSAVerifier(ec);
        default -> throw new InvalidTokenException(TokenRefusal.SIGNATURE, "the key does not fit the algorithm");
      };
      if (!jwt.verify(verifier)) {
        throw new InvalidTokenException(TokenRefusal.SIGNATURE, "bad signature");
      }
    } catch (JOSEException | IllegalStateException e) {
      throw new InvalidTokenException(TokenRefusal.SIGNATURE, "bad signature");
    }
  }

  private static JWTClaimsSet claims(SignedJWT jwt) {
    try {
      return jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      throw new InvalidTokenException(TokenRefusal.MALFORMED, "the payload is not a claims set");
    }
  }

  /** @return the expiry */
  private Date checkClaims(JWTClaimsSet claims, long now) {
    if (!settings.issuer().equals(claims.getIssuer())) {
      throw new InvalidTokenException(TokenRefusal.ISSUER, "wrong issuer");
    }
    List<String> audience = claims.getAudience();
    if (audience == null || !audience.contains(settings.audience())) {
      throw new InvalidTokenException(TokenRefusal.AUDIENCE, "wrong audience");
    }
    Date expires = claims.getExpirationTime();
    if (expires == null || expires.getTime() + SKEW_MILLIS <= now) {
      throw new InvalidTokenException(TokenRefusal.EXPIRED, "expired");
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && notBefore.getTime() - SKEW_MILLIS > now) {
      throw new InvalidTokenException(TokenRefusal.EXPIRED, "not valid yet");
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new InvalidTokenException(TokenRefusal.MALFORMED, "no subject");
    }
    return expires;
  }

  /** Keycloak's realm_access.roles, or a top-level roles array. */
  private static boolean hasRole(JWTClaimsSet claims, String role) {
    Object realmAccess = claims.getClaim("realm_access");
    if (realmAccess instanceof Map<?, ?> access && access.get("roles") instanceof List<?> roles && roles.contains(role)) {
      return true;
    }
    return claims.getClaim("roles") instanceof List<?> roles && roles.contains(role);
  }
}
