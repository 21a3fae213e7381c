package dev.temperstore.service.bridge;

/**
 * A frame the bridge answers itself, without forwarding it: 400 (malformed frame or field), 401 (no valid token),
 * 403 (the token or the delivery prefix does not allow it), 404 (nothing of that name on this connection), 429 (a
 * per-connection bound reached), 503 (the client cannot take a delivery now). The message says what is wrong and
 * never shows the token.
 */
final class BridgeRefusal extends RuntimeException {

  static final int MALFORMED = 400;
  static final int UNAUTHENTICATED = 401;
  static final int FORBIDDEN = 403;
  static final int NOT_FOUND = 404;
  static final int TOO_MANY = 429;
  static final int UNAVAILABLE = 503;

  private final int code;
  /** Why, in a word, for the refusals metric ({@code temper_bridge_refusals_total{reason}}). */
  private final String reason;

  private BridgeRefusal(int code, String reason, String message) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
  }

  private BridgeRefusal(int code, String message) {
    this(code, "other", message);
  }

  /** A 401 for {@code reason}: no-token, malformed, invalid, expired, future, lifetime, claims or revoked. */
  static BridgeRefusal unauthenticated(String reason, String why) {
    return new BridgeRefusal(UNAUTHENTICATED, reason, "unauthorized: " + why);
  }

  static BridgeRefusal forbidden(String why) {
    return new BridgeRefusal(FORBIDDEN, "forbidden", "forbidden: " + why);
  }

  static BridgeRefusal malformed(String why) {
    return new BridgeRefusal(MALFORMED, why);
  }

  static BridgeRefusal notFound(String why) {
    return new BridgeRefusal(NOT_FOUND, why);
  }

  static BridgeRefusal tooMany(String why) {
    return new BridgeRefusal(TOO_MANY, why);
  }

  static BridgeRefusal unavailable(String why) {
    return new BridgeRefusal(UNAVAILABLE, why);
  }

  int code() {
    return code;
  }

  String reason() {
    return reason;
  }
}
