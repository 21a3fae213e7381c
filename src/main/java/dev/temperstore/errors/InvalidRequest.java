package dev.temperstore.errors;

/** 400: a request that is malformed or breaks a rule; retrying it unchanged fails again. */
public final class InvalidRequest extends StoreException {

  public static final int CODE = 400;

  public InvalidRequest(String message) {
    super(message, null);
  }

  @Override
  public int code() {
    return CODE;
  }
}
