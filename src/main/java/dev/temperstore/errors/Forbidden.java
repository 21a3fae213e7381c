package dev.temperstore.errors;

/**
 * 403: the TCP bridge's token does not grant the request's tenant or permission, or the store does not serve
 * all-tenant reads (no operator role configured). Do not retry.
 */
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
