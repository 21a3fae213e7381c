package dev.temperstore.bus;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.feed.FeedEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
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
    JsonArray array = new JsonArray(new ArrayList<>(events.size()));
    // ordinary JSON, not views: any consumer may receive it, as a copy (see JsonView.materialized)
    events.forEach(event -> array.add(JsonView.materialized(FeedJson.event(event))));
    return new JsonObject().put("tenant", tenant).put("subscription", subscription).put("events", array);
  }

  /**
   * The batch's events, read as the store wrote them: without the input gate's walk over every payload, which
   * would cost the consumer more than the store spent on the batch.
   *
   * @throws InvalidRequest when the body is not a delivery batch (anyone on the bus may send to the address)
   */
  static List<FeedEvent> events(JsonObject body) {
    try {
      JsonArray array = body.getJsonArray("events");
      if (array.size() > MAX_EVENTS) {
        throw new InvalidRequest("a delivery holds at most " + MAX_EVENTS + " events, this one " + array.size());
      }
      return EventJson.replies(array, FeedJson::eventReply);
    } catch (InvalidRequest e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidRequest("not a delivery batch of the store's events: " + e);
    }
  }
}
