package dev.temperstore.errors;

/** 401, from the TCP bridge: no token, or one that is invalid or expired. Retry only with a new token. */
public final class Unauthenticated extends StoreException {

  public static final int CODE = 401;

  public Unauthenticated(String message) {
    super(message, null);
  }

  @Override
  public int code() {
    return CODE;
  }
}
