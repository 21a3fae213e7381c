package dev.temperstore.errors;

/** 500: the database failed; the message keeps Temper's {@code storage error: …} form and the cause. */
public final class StorageFailure extends StoreException {

  public static final int CODE = 500;

  public StorageFailure(String message, Throwable cause) {
    super("storage error: " + message, cause);
  }

  @Override
  public int code() {
    return CODE;
  }
}
