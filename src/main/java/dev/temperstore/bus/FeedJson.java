package dev.temperstore.bus;

import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** The wire form of the feed: positions as {@code "tx:id"}, events with their stream and position. */
final class FeedJson {

  /** Entity types or event types one request may filter on. */
  static final int MAX_FILTER_ITEMS = 100;

  private FeedJson() {
  }

  static JsonObject event(FeedEvent event) {
    return EventJson.storedEvent(event.event())
        .put("position", event.position().toString())
        .put("persistenceId", event.persistenceId().toString());
  }

  /** A feed event as the store replies with it, read without the input gate (see EventJson.storedEventReply). */
  static FeedEvent eventReply(JsonObject json) {
    return new FeedEvent(FeedPosition.parse("position", json.getString("position")),
        PersistenceId.parse(json.getString("persistenceId")), EventJson.storedEventReply(json));
  }

  /** A page as the store replies with it, read without the input gate. */
  static FeedPage pageReply(JsonObject json) {
    JsonArray events = json.getJsonArray("events");
    List<FeedEvent> read = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      read.add(eventReply(events.getJsonObject(i)));
    }
    return new FeedPage(read, FeedPosition.parse("next", json.getString("next")), json.getBoolean("hasMore"));
  }

  static JsonObject page(FeedPage page) {
    return new JsonObject()
        .put("events", new JsonArray(page.events().stream().map(FeedJson::event).toList()))
        .put("next", page.next().toString())
        .put("hasMore", page.hasMore());
  }

  /** A page across tenants: each event also names its tenant, for readers that do not parse persistence ids. */
  static JsonObject pageAcrossTenants(FeedPage page) {
    return new JsonObject()
        .put("events", new JsonArray(page.events().stream()
            .map(event -> event(event).put("tenant", event.persistenceId().tenant())).toList()))
        .put("next", page.next().toString())
        .put("hasMore", page.hasMore());
  }

  static JsonObject filter(FeedFilter filter, JsonObject request) {
    if (!filter.entityTypes().isEmpty()) {
      request.put("entityTypes", new JsonArray(filter.entityTypes().stream().sorted().toList()));
    }
    if (!filter.eventTypes().isEmpty()) {
      request.put("eventTypes", new JsonArray(filter.eventTypes().stream().sorted().toList()));
    }
    return request;
  }

  static FeedFilter filter(Fields fields) {
    return new FeedFilter(fields.optionalStrings("entityTypes", MAX_FILTER_ITEMS, PersistenceId.MAX_LENGTH),
        fields.optionalStrings("eventTypes", MAX_FILTER_ITEMS, EventJson.MAX_NAME_LENGTH));
  }

  static FeedPosition after(Fields fields) {
    return fields.optionalString("after", 64).map(text -> FeedPosition.parse(fields.where("after"), text))
        .orElse(FeedPosition.START);
  }
}
