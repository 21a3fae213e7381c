package dev.temperstore.errors;

/** 429: over a per-tenant budget (such as the number of secrets). */
public final class OverBudget extends StoreException {

  public static final int CODE = 429;

  public OverBudget(String message) {
    super(message, null);
  }

  @Override
  public int code() {
    return CODE;
  }
}
