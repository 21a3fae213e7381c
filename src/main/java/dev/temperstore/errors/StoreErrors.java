package dev.temperstore.errors;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** Rebuilds a {@link StoreException} from its wire form ({@link StoreException#toJson()}), for clients. */
public final class StoreErrors {

  private StoreErrors() {
  }

  /** {@code code} is the failure code; {@code message} the failure message, JSON as the store sends it. */
  public static StoreException fromWire(int code, String message) {
    JsonObject json;
    try {
      json = message == null ? new JsonObject() : new JsonObject(message);
    } catch (DecodeException | ClassCastException e) {
      json = new JsonObject().put("message", message);
    }
    String text = json.getString("message", String.valueOf(message));
    return switch (code) {
      case InvalidRequest.CODE -> new InvalidRequest(text);
      case NotFound.CODE -> new NotFound(text);
      case ConcurrencyConflict.CODE -> new ConcurrencyConflict(json.getString("persistenceId", ""),
          json.getLong("expected", -1L), json.getLong("actual", -1L), text);
      case StreamTombstoned.CODE -> json.containsKey("subject")
          ? new SubjectForgotten(json.getString("subject", ""), text)
          : new StreamTombstoned(json.getString("persistenceId", ""), text);
      case TooLarge.CODE -> new TooLarge(text);
      case OverBudget.CODE -> new OverBudget(text);
      case Unavailable.CODE -> new Unavailable(text);
      case Unauthenticated.CODE -> new Unauthenticated(text);
      case Forbidden.CODE -> new Forbidden(text);
      default -> StorageFailure.reported(text);
    };
  }
}
