package dev.temperstore.errors;

/** 413: a request or value over a size limit. */
public final class TooLarge extends StoreException {

  public static final int CODE = 413;

  public TooLarge(String message) {
    super(message, null);
  }

  @Override
  public int code() {
    return CODE;
  }
}
