package dev.userservice.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An OpenID Connect issuer of the tests' own on 127.0.0.1: its configuration and key set over
 * real HTTP, keys the test adds and removes (rotation), a key set endpoint that can be told to
 * answer garbage or nothing, and tokens it signs with whatever claims a test wants.
 */
public final class TestIssuer implements AutoCloseable {
  public static final String AUDIENCE = "user-service";
  public static final String ADMIN_ROLE = "user-admin";

  /** What the key set endpoint does: answer the keys, answer garbage, or hold the request unanswered. */
  public enum KeySetMode { KEYS, GARBAGE, SILENT }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<RSAKey> published = new CopyOnWriteArrayList<>();
  private final AtomicReference<KeySetMode> mode = new AtomicReference<>(KeySetMode.KEYS);
  private final AtomicInteger keySetFetches = new AtomicInteger();
  private final String issuer;
  private volatile RSAKey signing;

  public TestIssuer() {
    server = vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/realms/test/.well-known/openid-configuration" -> request.response()
            .putHeader("content-type", "application/json")
            .end(new JsonObject().put("issuer", issuer()).put("jwks_uri", issuer() + "/protocol/openid-connect/certs").encode());
        case "/realms/test/protocol/openid-connect/certs" -> {
          keySetFetches.incrementAndGet();
          switch (mode.get()) {
            case KEYS -> request.response().putHeader("content-type", "application/json")
                .end(new JWKSet(List.copyOf(published)).toPublicJWKSet().toString());
            case GARBAGE -> request.response().putHeader("content-type", "application/json").end("{\"keys\": [ {\"kty\":");
            case SILENT -> { } // never answered: the client's timeout ends it
          }
        }
        default -> request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").await();
    issuer = "http://127.0.0.1:" + server.actualPort() + "/realms/test";
    signing = newKey();
    published.add(signing);
  }

  public String issuer() {
    return issuer;
  }

  /** The service's variables for this issuer. */
  public Map<String, String> serviceEnv(String jwksRefresh) {
    return Map.of("AUTH_MODE", "oidc", "OIDC_ISSUER", issuer, "OIDC_AUDIENCE", AUDIENCE,
        "OIDC_ADMIN_ROLE", ADMIN_ROLE, "OIDC_JWKS_REFRESH", jwksRefresh);
  }

  public static RSAKey newKey() {
    try {
      return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Publishes a new key and signs the next tokens with it (the old one stays published). */
  public RSAKey rotate() {
    RSAKey next = newKey();
    published.add(next);
    signing = next;
    return next;
  }

  public void unpublish(RSAKey key) {
    published.removeIf(k -> k.getKeyID().equals(key.getKeyID()));
  }

  public RSAKey signingKey() {
    return signing;
  }

  public void keySetMode(KeySetMode newMode) {
    mode.set(newMode);
  }

  public int keySetFetches() {
    return keySetFetches.get();
  }

  /** A valid access token for {@code subject}, with any changes {@code claims} makes to it. */
  public String token(String subject, Consumer<JWTClaimsSet.Builder> claims) {
    return sign(signing, claimsFor(subject, claims));
  }

  public String token(String subject) {
    return token(subject, c -> { });
  }

  public String adminToken(String subject) {
    return token(subject, c -> c.claim("realm_access", Map.of("roles", List.of("offline_access", ADMIN_ROLE))));
  }

  public JWTClaimsSet claimsFor(String subject, Consumer<JWTClaimsSet.Builder> changes) {
    Instant now = Instant.now();
    var builder = new JWTClaimsSet.Builder().issuer(issuer).audience(List.of(AUDIENCE, "account")).subject(subject)
        .issueTime(java.util.Date.from(now)).expirationTime(java.util.Date.from(now.plusSeconds(300)))
        .claim("realm_access", Map.of("roles", List.of("offline_access")));
    changes.accept(builder);
    return builder.build();
  }

  public static String sign(RSAKey key, JWTClaimsSet claims) {
    try {
      var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
