package dev.temperstore.errors;

/** 500: the database failed; the message keeps Temper's {@code storage error: …} form and the cause. */
public final class StorageFailure extends StoreException {

  public static final int CODE = 500;

  public StorageFailure(String message, Throwable cause) {
    this("storage error: " + message, cause, true);
  }

  private StorageFailure(String fullMessage, Throwable cause, boolean ignored) {
    super(fullMessage, cause);
  }

  /** A failure the store reported with this whole message (a client rebuilding it from the wire). */
  public static StorageFailure reported(String fullMessage) {
    return new StorageFailure(fullMessage, null, true);
  }

  @Override
  public int code() {
    return CODE;
  }
}
