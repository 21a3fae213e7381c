package dev.temperstore.service.bridge;

import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * Tokens that cannot outlive their purpose: a bridge token must carry {@code exp}, and must expire at most
 * {@code temper.bridge.auth.max-token-lifetime} after it was issued ({@code iat}) or, without {@code iat}, after now.
 * Without the cap, a correctly signed token without {@code exp}, once leaked, was valid until the signing secret was
 * rotated, which cuts off every client at once. Checked once per token, when a connection first verifies it.
 *
 * @param max the longest lifetime accepted
 */
record TokenLifetime(Duration max) {

  static final String SETTING = "temper.bridge.auth.max-token-lifetime";

  TokenLifetime {
    if (max.toSeconds() < 1) {
      throw new IllegalArgumentException(SETTING + " must be at least 1s, got " + max);
    }
  }

  /** @throws BridgeRefusal 401 naming the claim at fault */
  void check(JsonObject claims, long nowMillis) {
    Object exp = claims.getValue("exp");
    if (exp == null) {
      throw BridgeRefusal.unauthenticated("lifetime", "the token has no expiry (exp claim): bridge tokens must expire, at most "
          + seconds(max.toSeconds()) + " after they are issued (" + SETTING + ")");
    }
    if (!(exp instanceof Number expires)) {
      throw BridgeRefusal.unauthenticated("claims", "the token's exp claim must be a number of seconds");
    }
    long now = Math.floorDiv(nowMillis, 1000);
    long from = now;
    Object iat = claims.getValue("iat");
    if (iat != null) {
      if (!(iat instanceof Number issued)) {
        throw BridgeRefusal.unauthenticated("claims", "the token's iat claim must be a number of seconds");
      }
      if (issued.doubleValue() > now) {
        throw BridgeRefusal.unauthenticated("future", "the token was issued in the future (iat claim)");
      }
      from = issued.longValue();
    }
    // doubleValue: an exp past what a long holds is still past the cap, never wrapped round below it
    if (expires.doubleValue() - from > max.toSeconds()) {
      throw BridgeRefusal.unauthenticated("lifetime", "the token may live longer than " + SETTING + " allows ("
          + seconds(max.toSeconds()) + " from its iat, or from now without one)");
    }
  }

  private static String seconds(long seconds) {
    return seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds + "s";
  }
}
