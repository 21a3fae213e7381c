package dev.temperstore.service.bench;

import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import dev.temperstore.subjects.PersonalData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Events of realistic size: about 200 bytes of JSON payload and 150 of metadata, the shape the pgbench baseline
 * inserts too ({@link #PAYLOAD_JSON}, {@link #METADATA_JSON}).
 */
public final class BenchPayloads {

  /** The event id in {@link #METADATA_JSON}. */
  public static final String EVENT_ID = "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b";
  /** The payload as JSON text, for the raw-SQL baseline. */
  public static final String PAYLOAD_JSON = payload().encode();
  /** Metadata of the same shape and size as the store writes, for the raw-SQL baseline. */
  public static final String METADATA_JSON = EventMetadata.root(
      UUID.fromString(BenchPayloads.EVENT_ID), "bench-client-07").toStorage().encode();

  private static final JsonObject PAYLOAD = payload();
  /** The fields a --personal run marks: two strings of the payload. */
  private static final String[] PERSONAL = {"/customer/id", "/note"};

  private BenchPayloads() {
  }

  static List<NewEvent> events(int count, String actor) {
    return events(count, actor, null);
  }

  /** With {@code subject} not null, each event marks {@link #PERSONAL}'s two fields as the subject's. */
  static List<NewEvent> events(int count, String actor, String subject) {
    List<NewEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      UUID id = randomId();
      NewEvent event = new NewEvent("OrderLineAdded", PAYLOAD, new EventMetadata(id, id, id, Instant.now(), actor));
      events.add(subject == null ? event : event.markedPersonal(PersonalData.of(subject, PERSONAL)));
    }
    return events;
  }

  /**
   * A random version-4 UUID from the thread's own generator: an event id needs to be unique, not unpredictable, and
   * {@link UUID#randomUUID()} draws from one SecureRandom that every client thread takes a lock for (2.2% of the event
   * loop's samples at 10-event appends), a cost of the load generator, not of the store it measures.
   */
  public static UUID randomId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
        (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L);
  }

  private static JsonObject payload() {
    return new JsonObject()
        .put("orderId", "ord-2026-11-000123")
        .put("customer", new JsonObject().put("id", "cust-4711").put("tier", "gold"))
        .put("line", new JsonObject().put("sku", "SKU-88231-BLK-L").put("quantity", 2).put("unitPrice", 1999)
            .put("currency", "EUR"))
        .put("tags", new JsonArray().add("web").add("promo-autumn"))
        .put("note", "leave at the front desk");
  }
}
