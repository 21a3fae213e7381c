package dev.temperstore.testing;

import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Events for tests: each with fresh ids, a payload that says which it is, and full metadata. */
public final class Events {

  private Events() {
  }

  public static NewEvent event(String type, int n) {
    UUID id = UUID.randomUUID();
    return new NewEvent(type, new JsonObject().put("n", n).put("note", "event " + n),
        new EventMetadata(id, UUID.randomUUID(), UUID.randomUUID(), Instant.parse("2026-11-26T10:15:30.123456789Z"),
            "actor-" + n));
  }

  /**
   * Writes, by SQL as the superuser, the first event of {@code count} streams of {@code tenant}'s Orders
   * {@code o-(from + 1)} to {@code o-(from + count)}: one statement, with metadata of Temper's shape.
   */
  public static void insertFirstEvents(TestDatabase database, String tenant, int from, int count) {
    database.admin().execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
        + " metadata) SELECT '" + tenant + "', 'Order', 'o-' || g, 1, 'E', '{}', '"
        + event("E", 0).metadata().toStorageJson() + "' FROM generate_series(" + (from + 1) + ", " + (from + count)
        + ") g");
  }

  public static List<NewEvent> events(int count) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      events.add(event("Happened", i));
    }
    return events;
  }
}
