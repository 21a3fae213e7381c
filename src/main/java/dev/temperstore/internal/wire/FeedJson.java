package dev.temperstore.internal.wire;

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
public final class FeedJson {

  /** Entity types or event types one request may filter on. */
  public static final int MAX_FILTER_ITEMS = 100;

  private FeedJson() {
  }

  private static final List<List<JsonView.Field<FeedEvent>>> EVENT_FIELDS =
      EventJson.variants(eventFields(false), FeedEvent::event);
  private static final List<List<JsonView.Field<FeedEvent>>> EVENT_ACROSS_TENANTS_FIELDS =
      EventJson.variants(eventFields(true), FeedEvent::event);
  private static final List<JsonView.Field<FeedPage>> PAGE_FIELDS = pageFields(EVENT_FIELDS);
  private static final List<JsonView.Field<FeedPage>> PAGE_ACROSS_TENANTS_FIELDS =
      pageFields(EVENT_ACROSS_TENANTS_FIELDS);

  /** A stored event's fields, then its position and stream, and (across tenants) its tenant. */
  private static List<JsonView.Field<FeedEvent>> eventFields(boolean withTenant) {
    List<JsonView.Field<FeedEvent>> fields = new ArrayList<>(EventJson.storedEventFields(FeedEvent::event));
    fields.add(new JsonView.Field<>("position", event -> event.position().toString()));
    fields.add(new JsonView.Field<>("persistenceId", event -> event.persistenceId().toString()));
    if (withTenant) {
      fields.add(new JsonView.Field<>("tenant", event -> event.persistenceId().tenant()));
    }
    return List.copyOf(fields);
  }

  private static List<JsonView.Field<FeedPage>> pageFields(List<List<JsonView.Field<FeedEvent>>> eventFields) {
    return List.of(
        new JsonView.Field<>("events", page -> new JsonArray(page.events().stream()
            .map(event -> JsonView.of(event, EventJson.variant(eventFields, event.event()))).toList())),
        new JsonView.Field<>("next", page -> page.next().toString()),
        new JsonView.Field<>("hasMore", FeedPage::hasMore));
  }

  /** A feed event in a reply or a delivery: a view of it (see {@link JsonView}). */
  public static JsonObject event(FeedEvent event) {
    return JsonView.of(event, EventJson.variant(EVENT_FIELDS, event.event()));
  }

  /** A feed event as the store replies with it, read without the input gate (see EventJson.storedEventReply). */
  public static FeedEvent eventReply(JsonObject json) {
    FeedEvent shared = JsonView.sourceOf(json, FeedEvent.class);
    if (shared != null) {
      return shared;
    }
    return new FeedEvent(FeedPosition.parse("position", json.getString("position")),
        PersistenceId.parse(json.getString("persistenceId")), EventJson.storedEventReply(json));
  }

  /** A page as the store replies with it, read without the input gate. */
  public static FeedPage pageReply(JsonObject json) {
    FeedPage shared = JsonView.sourceOf(json, FeedPage.class);
    if (shared != null) {
      return shared;
    }
    return new FeedPage(EventJson.replies(json.getJsonArray("events"), FeedJson::eventReply),
        FeedPosition.parse("next", json.getString("next")), json.getBoolean("hasMore"));
  }

  public static JsonObject page(FeedPage page) {
    return JsonView.of(page, PAGE_FIELDS);
  }

  /** A page across tenants: each event also names its tenant, for readers that do not parse persistence ids. */
  public static JsonObject pageAcrossTenants(FeedPage page) {
    return JsonView.of(page, PAGE_ACROSS_TENANTS_FIELDS);
  }

  public static JsonObject filter(FeedFilter filter, JsonObject request) {
    if (!filter.entityTypes().isEmpty()) {
      request.put("entityTypes", new JsonArray(filter.entityTypes().stream().sorted().toList()));
    }
    if (!filter.eventTypes().isEmpty()) {
      request.put("eventTypes", new JsonArray(filter.eventTypes().stream().sorted().toList()));
    }
    if (filter.notices()) {
      request.put("notices", true);
    }
    return request;
  }

  public static FeedFilter filter(Fields fields) {
    return new FeedFilter(fields.optionalStrings("entityTypes", MAX_FILTER_ITEMS, PersistenceId.MAX_LENGTH),
        fields.optionalStrings("eventTypes", MAX_FILTER_ITEMS, EventJson.MAX_NAME_LENGTH),
        Boolean.TRUE.equals(fields.flag("notices")));
  }

  public static FeedPosition after(Fields fields) {
    return fields.optionalString("after", 64).map(text -> FeedPosition.parse(fields.where("after"), text))
        .orElse(FeedPosition.START);
  }
}
