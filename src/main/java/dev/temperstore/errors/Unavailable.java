package dev.temperstore.errors;

/** 503: not ready, overloaded or shutting down; safe to retry later. */
public final class Unavailable extends StoreException {

  public static final int CODE = 503;

  public Unavailable(String message) {
    super(message, null);
  }

  @Override
  public int code() {
    return CODE;
  }
}
