package dev.temperstore.errors;

/** 404: the named thing does not exist. */
public final class NotFound extends StoreException {

  public static final int CODE = 404;

  public NotFound(String message) {
    super(message, null);
  }

  @Override
  public int code() {
    return CODE;
  }
}
