package dev.temperstore.internal.wire;

import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonViewTest {

  private static final UUID ID = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
  private static final EventMetadata METADATA =
      new EventMetadata(ID, ID, ID, Instant.parse("2026-12-01T10:00:00.123Z"), "user-7");
  private static final StoredEvent EVENT =
      StoredEvent.withPayloadJson(3, "Placed", "{\"total\": 12, \"lines\": [1, 2]}", METADATA);
  private static final String EVENT_JSON = "{\"sequenceNr\":3,\"eventType\":\"Placed\","
      + "\"payload\":{\"total\":12,\"lines\":[1,2]},\"metadata\":{\"eventId\":\"" + ID + "\",\"causationId\":\"" + ID
      + "\",\"correlationId\":\"" + ID + "\",\"timestamp\":\"2026-12-01T10:00:00.123Z\",\"actorId\":\"user-7\"}";

  @Test
  void a_view_encodes_the_same_json_as_the_object_built_field_by_field() {
    JsonObject view = EventJson.storedEvent(EVENT);

    assertThat(view.encode()).isEqualTo(EVENT_JSON + "}");
    assertThat(view.getJsonObject("metadata").getString("actorId")).isEqualTo("user-7");
    assertThat(view.containsKey("payload")).isTrue();
    assertThat(view.containsKey("position")).isFalse();
    assertThat(view.getValue("position")).isNull();
    assertThat(view.size()).isEqualTo(4);
    assertThat(view).isEqualTo(new JsonObject(EVENT_JSON + "}"));
  }

  @Test
  void a_typed_reader_takes_the_value_back_and_any_other_json_is_parsed() {
    FeedEvent event = new FeedEvent(new FeedPosition(7, 9), PersistenceId.parse("acme:Order:o-1"), EVENT);
    FeedPage page = new FeedPage(List.of(event), event.position(), false);

    assertThat(FeedJson.pageReply(FeedJson.page(page))).isSameAs(page);
    assertThat(FeedJson.eventReply(FeedJson.event(event))).isSameAs(event);
    assertThat(EventJson.storedEventReply(EventJson.storedEvent(EVENT))).isSameAs(EVENT);
    FeedPage parsed = FeedJson.pageReply(new JsonObject(FeedJson.page(page).encode()));
    assertThat(parsed).isNotSameAs(page).isEqualTo(page);
    assertThat(JsonView.sourceOf(FeedJson.page(page), EventPage.class)).isNull();
  }

  @Test
  void a_materialized_view_is_ordinary_json_in_the_same_order_that_its_holder_may_change() {
    FeedEvent event = new FeedEvent(new FeedPosition(7, 9), PersistenceId.parse("acme:Order:o-1"), EVENT);
    JsonObject view = FeedJson.pageAcrossTenants(new FeedPage(List.of(event), event.position(), true));

    JsonObject plain = JsonView.materialized(view);

    assertThat(plain.encode()).isEqualTo(view.encode()).isEqualTo("{\"events\":[" + EVENT_JSON
        + ",\"position\":\"7:9\",\"persistenceId\":\"acme:Order:o-1\",\"tenant\":\"acme\"}],\"next\":\"7:9\","
        + "\"hasMore\":true}");
    assertThat(plain.getMap()).isInstanceOf(LinkedHashMap.class);
    assertThat(plain.getJsonArray("events").getJsonObject(0).getMap()).isInstanceOf(LinkedHashMap.class);
    // a copy, as Vert.x makes for a local caller, keeps the order too
    assertThat(plain.copy().encode()).isEqualTo(view.encode());
    plain.getJsonArray("events").getJsonObject(0).put("seen", true);
    assertThat(plain.getJsonArray("events").getJsonObject(0).getBoolean("seen")).isTrue();
    assertThatThrownBy(() -> view.put("seen", true)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void materializing_ordinary_json_changes_nothing() {
    JsonObject ordinary = new JsonObject().put("sequenceNr", 1).put("events", new JsonArray().add(1));

    assertThat(JsonView.materialized(ordinary)).isSameAs(ordinary);
  }
}
