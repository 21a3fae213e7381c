package dev.temperstore.events;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata's JSON text, written by hand for speed, is the very text the JSON encoder writes for it. */
class EventMetadataTest {

  @Test
  void the_storage_text_is_the_encoders_text_for_any_actor_id() {
    List<String> actors = List.of("actor-1", "quote \" and backslash \\", "controls \u0001\b\f\n\r\t\u001f end",
        "slash / and del \u007f", "multi-byte \u4e2d\u00e9 and \ud83d\ude00", "separators \u2028\u2029", "</script>");
    UUID id = UUID.randomUUID();
    for (String actor : actors) {
      EventMetadata metadata = new EventMetadata(id, UUID.randomUUID(), id,
          Instant.parse("2026-12-07T10:15:30.123456Z"), actor);

      assertThat(metadata.toStorageJson()).as(actor).isEqualTo(metadata.toStorage().encode());
      assertThat(new JsonObject(metadata.toStorageJson()).getString("actor_id")).as(actor).isEqualTo(actor);
    }
  }
}
