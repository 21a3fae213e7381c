package dev.temperstore.errors;

/** 403, from the TCP bridge: the token does not grant the request's tenant or permission. Do not retry. */
public final class Forbidden extends StoreException {

  public static final int CODE = 403;

  public Forbidden(String message) {
    super(message, null);
  }

  @Override
  public int code() {
    return CODE;
  }
}
