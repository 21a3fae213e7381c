package dev.temperstore.client;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** How a {@link StoreClient}'s requests reach the store: the event bus, or the TCP bridge from another process. */
public interface Transport {

  /**
   * Sends {@code body} to {@code address} and emits the reply's body. Failures are the store's own
   * {@link dev.temperstore.errors.StoreException}s; no reply in time, or no store there, is {@code Unavailable}.
   */
  Uni<JsonObject> request(String address, JsonObject body);
}
