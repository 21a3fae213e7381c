package dev.temperstore.internal.wire;

import dev.temperstore.internal.bus.DeliverySender;

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

  /** A delivery as it left the store: what a consumer in the same Vert.x takes back from a {@link #view}. */
  public record Batch(String tenant, String subscription, List<FeedEvent> events) {
  }

  private static final List<JsonView.Field<Batch>> FIELDS = List.of(
      new JsonView.Field<>("tenant", Batch::tenant),
      new JsonView.Field<>("subscription", Batch::subscription),
      new JsonView.Field<>("events", batch -> new JsonArray(batch.events().stream().map(FeedJson::event).toList())));

  /** The delivery as ordinary JSON, for any consumer. */
  public static JsonObject encode(String tenant, String subscription, List<FeedEvent> events) {
    // ordinary JSON, not views: any consumer may receive it, as a copy (see JsonView.materialized)
    return JsonView.materialized(JsonView.of(new Batch(tenant, subscription, events), FIELDS));
  }

  /**
   * The delivery as a read-only view of typed events ({@link JsonView}), for a consumer in this Vert.x that gets
   * it uncopied ({@link DeliverySender}); read as JSON, it has the fields {@link #encode} gives.
   */
  public static JsonObject view(String tenant, String subscription, List<FeedEvent> events) {
    // each delivery's events are the consumer's own: the store keeps its copies to send again after a refusal
    List<FeedEvent> own = new ArrayList<>(events.size());
    for (FeedEvent event : events) {
      own.add(new FeedEvent(event.position(), event.persistenceId(), event.event().copy()));
    }
    return JsonView.of(new Batch(tenant, subscription, own), FIELDS);
  }

  /** The typed batch {@code body} is a view of, or null when it is ordinary JSON. */
  public static Batch shared(Object body) {
    return body instanceof JsonObject json ? JsonView.sourceOf(json, Batch.class) : null;
  }

  /**
   * The batch's events, read as the store wrote them: without the input gate's walk over every payload, which
   * would cost the consumer more than the store spent on the batch.
   *
   * @throws InvalidRequest when the body is not a delivery batch (anyone on the bus may send to the address)
   */
  public static List<FeedEvent> events(JsonObject body) {
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
