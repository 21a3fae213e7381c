package dev.temperstore.service.bridge;

import dev.temperstore.internal.input.Text;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridge authentication: a JWT bearer token in every {@code send} frame's {@code headers.authorization}
 * ({@code "Bearer <jwt>"}), verified by vertx-auth-jwt against an HS256 shared secret and/or a public key (RS256,
 * ES256…), and optionally its issuer and audience. What a token allows is its {@link Grant}.
 *
 * <p>Each connection has a {@link Session} that remembers the last token it verified, so that a client presenting
 * the same token on every frame pays for one signature check, not one per request; its expiry, and whether it was
 * revoked ({@link TokenRevocations}), are still checked on every frame.
 */
public final class BridgeAuth {

  public static final String HS256 = "HS256";
  private static final String BEARER = "bearer ";
  private static final List<String> KNOWN_REJECTIONS = List.of("Invalid JWT", "Invalid format for JWT",
      "Signature verification failed", "Signature is required", "Algorithm \"none\" not allowed", "JWT is in",
      "missing signature segment");

  private static final Logger AUDIT = LoggerFactory.getLogger("dev.temperstore.audit.tokens");

  private final JWTAuth jwt;
  private final Optional<String> issuer;
  private final List<String> audience;
  private final TokenLifetime lifetime;
  private final Optional<TokenRevocations> revocations;
  private final MeterRegistry registry;

  private BridgeAuth(JWTAuth jwt, Optional<String> issuer, List<String> audience, TokenLifetime lifetime,
                     Optional<TokenRevocations> revocations, MeterRegistry registry) {
    this.jwt = jwt;
    this.issuer = issuer;
    this.audience = audience;
    this.lifetime = lifetime;
    this.revocations = revocations;
    this.registry = registry;
  }

  /**
   * This verification, also refusing the tokens {@code list} revokes, and counting every refusal by reason in
   * {@code metrics} ({@code temper_bridge_refusals_total{reason}}).
   */
  public BridgeAuth withRevocations(TokenRevocations list, MeterRegistry metrics) {
    return new BridgeAuth(jwt, issuer, audience, lifetime, Optional.of(list), metrics);
  }

  /** Whether {@code grant}'s token is revoked (never, without a revocation list). */
  boolean revoked(Grant grant) {
    return revocations.isPresent() && revocations.get().revoked(grant);
  }

  /** Counts a refusal: 401s by their reason, 403s as "forbidden". */
  void refused(Throwable cause) {
    if (cause instanceof BridgeRefusal refusal) {
      Counter.builder("temper.bridge.refusals").tag("reason", refusal.reason())
          .description("Bridge requests and registrations refused for their token or what it grants")
          .register(registry).increment();
    }
  }

  /**
   * @param secret          HS256 shared secret (UTF-8 bytes), if any
   * @param publicKeyPem    a public key in PEM, if any
   * @param publicKeyAlg    the algorithm of tokens signed by that key, e.g. RS256 or ES256
   * @param issuer          the {@code iss} a token must carry, if any
   * @param audience        the {@code aud} a token must name, if any
   * @param maxLifetime     the longest a token may be valid ({@link TokenLifetime})
   */
  public static BridgeAuth create(Vertx vertx, Optional<String> secret, Optional<String> publicKeyPem,
                                  String publicKeyAlg, Optional<String> issuer, Optional<String> audience,
                                  Duration maxLifetime) {
    TokenLifetime lifetime = new TokenLifetime(maxLifetime);
    if (secret.isEmpty() && publicKeyPem.isEmpty()) {
      throw new IllegalArgumentException("bridge authentication needs a JWT secret or a public key");
    }
    JWTAuthOptions options = new JWTAuthOptions();
    secret.ifPresent(value -> options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(HS256).setBuffer(value)));
    publicKeyPem.ifPresent(pem -> options.addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(publicKeyAlg.toUpperCase(Locale.ROOT)).setBuffer(pem)));
    JWTOptions verification = new JWTOptions();
    issuer.ifPresent(verification::setIssuer);
    audience.ifPresent(verification::addAudience);
    options.setJWTOptions(verification);
    return new BridgeAuth(JWTAuth.create(vertx, options), issuer, audience.map(List::of).orElse(List.of()),
        lifetime, Optional.empty(), new SimpleMeterRegistry());
  }

  /** The longest lifetime a token may have. */
  public Duration maxLifetime() {
    return lifetime.max();
  }

  /**
   * A token for a bridge client, signed with the HS256 secret: how a deployment issues credentials. It carries
   * {@code iat}, {@code exp} and a {@code jti} of its own.
   *
   * @param tenants the tenants it grants; {@code ["*"]} for all
   * @param ttl     how long it is valid: at most {@link #maxLifetime()}
   */
  public String issue(String subject, Collection<String> tenants, Collection<Permission> permissions, Duration ttl) {
    if (ttl.compareTo(lifetime.max()) > 0) {
      throw new IllegalArgumentException("a lifetime of " + ttl + " is longer than " + TokenLifetime.SETTING
          + " (" + lifetime.max() + "): the bridge would refuse the token");
    }
    JsonObject claims = new JsonObject().put("sub", subject).put("jti", UUID.randomUUID().toString())
        .put("tenants", tenants.equals(List.of(Grant.ALL_TENANTS)) ? Grant.ALL_TENANTS : new JsonArray(List.copyOf(tenants)))
        .put("permissions", new JsonArray(permissions.stream().map(Permission::claim).toList()));
    JWTOptions signing = new JWTOptions().setAlgorithm(HS256).setExpiresInSeconds((int) ttl.toSeconds());
    issuer.ifPresent(signing::setIssuer);
    signing.setAudience(audience);
    String token = jwt.generateToken(claims, signing);
    AUDIT.info("issued bridge token {} to subject \"{}\": tenants {}, permissions {}, expires in {}",
        claims.getString("jti"), Text.shown(subject), tenants, permissions, ttl);
    return token;
  }

  Session session() {
    return new Session();
  }

  /** One connection's authentication state: the last token it verified. Used on that connection's event loop. */
  final class Session {

    private String verifiedToken;
    private Grant verifiedGrant;
    /** The revoked grant last logged: a client that keeps sending it is counted each time, logged once. */
    private Grant loggedRevoked;

    private Session() {
    }

    /**
     * The grant of the frame's token; fails with a 401 {@link BridgeRefusal} naming what is wrong, also when the
     * token was revoked since this connection verified it. Every refusal is counted.
     */
    Future<Grant> grant(JsonObject frame) {
      Future<Grant> grant = verified(frame);
      if (revocations.isPresent()) {
        grant = grant.compose(granted -> revocations.get().revoked(granted) ? revoked(granted)
            : Future.succeededFuture(granted));
      }
      return grant.onFailure(BridgeAuth.this::refused);
    }

    private Future<Grant> revoked(Grant grant) {
      if (grant != loggedRevoked) {
        loggedRevoked = grant;
        AUDIT.info("refused a revoked bridge token {} of subject \"{}\"",
            grant.jti().map(Text::shown).orElse("(no jti)"), grant.subject().map(Text::shown).orElse(""));
      }
      return Future.failedFuture(BridgeRefusal.unauthenticated("revoked", "the token has been revoked"));
    }

    private Future<Grant> verified(JsonObject frame) {
      String token;
      try {
        token = bearerToken(frame);
      } catch (BridgeRefusal refusal) {
        return Future.failedFuture(refusal);
      }
      if (token.equals(verifiedToken)) {
        return verifiedGrant.expired(System.currentTimeMillis())
            ? Future.failedFuture(BridgeRefusal.unauthenticated("expired", "the token has expired"))
            : Future.succeededFuture(verifiedGrant);
      }
      Future<User> verified;
      try {
        verified = jwt.authenticate(new TokenCredentials(token));
      } catch (RuntimeException e) {
        // vertx-auth-jwt throws, rather than fails, on a time claim that is not a number (a ClassCastException)
        verified = Future.failedFuture(e);
      }
      return verified
          .recover(e -> Future.failedFuture(e instanceof ClassCastException
              ? BridgeRefusal.unauthenticated("claims",
                  "invalid token (its exp, iat and nbf claims must be numbers of seconds)")
              : rejected(e.getMessage(), token)))
          .map(user -> {
            JsonObject claims = claims(user);
            lifetime.check(claims, System.currentTimeMillis());
            Grant grant = Grant.fromClaims(claims);
            verifiedToken = token;
            verifiedGrant = grant;
            return grant;
          });
    }
  }

  /**
   * Why vertx-auth-jwt rejected a token: its own fixed messages are passed on; anything else (a decoder's message
   * may quote part of the token) becomes a fixed text.
   */
  private static BridgeRefusal rejected(String reason, String token) {
    if (reason != null && reason.contains("expired")) {
      // vertx-auth-jwt says "expired" for an iat in the future too; the unverified claims only pick the fixed text
      return issuedInTheFuture(token)
          ? BridgeRefusal.unauthenticated("future", "the token was issued in the future (iat claim)")
          : BridgeRefusal.unauthenticated("expired", "the token has expired");
    }
    for (String known : KNOWN_REJECTIONS) {
      if (reason != null && reason.startsWith(known)) {
        return BridgeRefusal.unauthenticated("invalid", "invalid token (" + reason + ")");
      }
    }
    return BridgeRefusal.unauthenticated("invalid", "invalid token (it could not be decoded)");
  }

  private static boolean issuedInTheFuture(String token) {
    try {
      String[] parts = token.split("\\.");
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      return claims.getValue("iat") instanceof Number issued
          && issued.doubleValue() > System.currentTimeMillis() / 1000.0;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static JsonObject claims(User user) {
    // vertx-auth-jwt keeps the decoded payload under the "accessToken" attribute; older builds in the principal.
    Object payload = user.attributes().getValue("accessToken");
    return payload instanceof JsonObject claims ? claims : user.principal();
  }

  private static String bearerToken(JsonObject frame) {
    Object value = frame.getValue("headers") instanceof JsonObject headers
        ? headers.getValue(headers.containsKey("authorization") ? "authorization" : "Authorization") : null;
    if (value == null) {
      throw BridgeRefusal.unauthenticated("no-token", "no bearer token (send headers.authorization = \"Bearer <token>\")");
    }
    if (!(value instanceof String header) || header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw BridgeRefusal.unauthenticated("malformed", "headers.authorization must be \"Bearer <token>\"");
    }
    return header.substring(BEARER.length()).trim();
  }
}
