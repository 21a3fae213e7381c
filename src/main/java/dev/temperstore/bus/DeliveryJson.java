package dev.temperstore.bus;

import dev.temperstore.feed.FeedEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The wire form of a subscription's delivery: a batch of consecutive events, each as {@code events.read-all}
 * shows it (position, persistenceId, sequenceNr, eventType, payload, metadata), in feed order, under
 * {@code events}, plus the tenant and the subscription's name.
 */
public final class DeliveryJson {

  /** Events one delivery carries at most. */
  public static final int MAX_EVENTS = 256;

  private DeliveryJson() {
  }

  public static JsonObject encode(String tenant, String subscription, List<FeedEvent> events) {
    JsonArray array = new JsonArray(new java.util.ArrayList<>(events.size()));
    events.forEach(event -> array.add(FeedJson.event(event)));
    return new JsonObject().put("tenant", tenant).put("subscription", subscription).put("events", array);
  }

  /** @throws dev.temperstore.errors.InvalidRequest naming the field that is wrong */
  static List<FeedEvent> events(Fields fields) {
    return fields.objects("events", MAX_EVENTS).stream().map(FeedJson::event).toList();
  }
}
