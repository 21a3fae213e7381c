package dev.temperstore.service.bridge;

/**
 * A request the bridge answers itself, without forwarding it: 400 (malformed frame), 401 (no valid token), 403
 * (the token does not allow it). The message says what is wrong and never shows the token.
 */
final class BridgeRefusal extends RuntimeException {

  static final int MALFORMED = 400;
  static final int UNAUTHENTICATED = 401;
  static final int FORBIDDEN = 403;

  private final int code;

  private BridgeRefusal(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  static BridgeRefusal unauthenticated(String why) {
    return new BridgeRefusal(UNAUTHENTICATED, "unauthorized: " + why);
  }

  static BridgeRefusal forbidden(String why) {
    return new BridgeRefusal(FORBIDDEN, "forbidden: " + why);
  }

  int code() {
    return code;
  }
}
