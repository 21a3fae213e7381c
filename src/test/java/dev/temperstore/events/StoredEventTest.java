package dev.temperstore.events;

import dev.temperstore.errors.StorageFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoredEventTest {

  private static final EventMetadata METADATA =
      EventMetadata.root(UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"), "user-7");

  @Test
  void a_payload_read_as_text_is_parsed_once_when_first_asked_for_as_the_database_client_would() {
    StoredEvent event = StoredEvent.withPayloadJson(1, "Placed", "{\"total\":12,\"note\":\"é\\u0000\"}", METADATA);

    Object payload = event.payload();

    assertThat(payload).isEqualTo(new JsonObject().put("total", 12).put("note", "é\u0000"));
    assertThat(event.payload()).isSameAs(payload);
    assertThat(event).isEqualTo(new StoredEvent(1, "Placed", payload, METADATA));
    assertThat(event.hashCode()).isEqualTo(new StoredEvent(1, "Placed", payload, METADATA).hashCode());
    assertThat(StoredEvent.withPayloadJson(1, "E", "[1,\"a\"]", METADATA).payload())
        .isEqualTo(new JsonArray().add(1).add("a"));
    assertThat(StoredEvent.withPayloadJson(1, "E", "\"text\"", METADATA).payload()).isEqualTo("text");
    assertThat(StoredEvent.withPayloadJson(1, "E", "12345678901", METADATA).payload()).isEqualTo(12345678901L);
    assertThat(StoredEvent.withPayloadJson(1, "E", "true", METADATA).payload()).isEqualTo(true);
  }

  @Test
  void a_stored_payload_beyond_the_parsers_limits_fails_when_asked_for_with_a_serialization_error_naming_the_event() {
    String deep = "[".repeat(1500) + "]".repeat(1500);
    StoredEvent event = StoredEvent.withPayloadJson(4, "Imported", deep, METADATA);

    assertThatThrownBy(event::payload).isInstanceOf(StorageFailure.class)
        .hasMessageStartingWith("storage error: serialization error: the payload of event"
            + " 0f8fad5b-d9cb-469f-a165-70867728950e (sequence 4) cannot be read as JSON: ");
    assertThat(event.sequenceNr()).isEqualTo(4);
  }

  @Test
  void a_copy_has_a_payload_of_its_own_whether_or_not_the_original_was_parsed() {
    StoredEvent unparsed = StoredEvent.withPayloadJson(2, "Placed", "{\"lines\":[{\"sku\":\"a\"}]}", METADATA);
    StoredEvent parsed = new StoredEvent(2, "Placed", new JsonObject().put("lines",
        new JsonArray().add(new JsonObject().put("sku", "a"))), METADATA);

    for (StoredEvent original : new StoredEvent[] {unparsed, parsed}) {
      StoredEvent copy = original.copy();
      ((JsonObject) copy.payload()).getJsonArray("lines").getJsonObject(0).put("sku", "changed");

      assertThat(original.payload()).isEqualTo(new JsonObject().put("lines",
          new JsonArray().add(new JsonObject().put("sku", "a"))));
      assertThat(copy.metadata()).isSameAs(original.metadata());
      assertThat(copy.sequenceNr()).isEqualTo(2);
    }
    assertThat(StoredEvent.withPayloadJson(1, "E", "\"text\"", METADATA).copy().payload()).isEqualTo("text");
  }
}
