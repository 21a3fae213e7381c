package dev.temperstore.bus;

import dev.temperstore.feed.FeedEvent;
import io.vertx.core.json.JsonObject;

/**
 * The wire form of a subscription's delivery: the event as {@code events.read-all} shows it (position,
 * persistenceId, sequenceNr, eventType, payload, metadata), plus the tenant and the subscription's name.
 */
public final class DeliveryJson {

  private DeliveryJson() {
  }

  public static JsonObject encode(String tenant, String subscription, FeedEvent event) {
    return FeedJson.event(event).put("tenant", tenant).put("subscription", subscription);
  }

  /** @throws dev.temperstore.errors.InvalidRequest naming the field that is wrong */
  static FeedEvent event(Fields fields) {
    return FeedJson.event(fields);
  }
}
