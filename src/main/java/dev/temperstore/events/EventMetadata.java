package dev.temperstore.events;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Who and what caused an event, stored as JSONB in Temper's shape
 * ({@code event_id, causation_id, correlation_id, timestamp, actor_id}). The event id makes appends idempotent.
 */
public record EventMetadata(UUID eventId, UUID causationId, UUID correlationId, Instant timestamp, String actorId) {

  public EventMetadata {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(causationId, "causationId");
    Objects.requireNonNull(correlationId, "correlationId");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(actorId, "actorId");
  }

  /** A root event: it causes and correlates itself, now. */
  public static EventMetadata root(UUID eventId, String actorId) {
    return new EventMetadata(eventId, eventId, eventId, Instant.now(), actorId);
  }

  /** The JSONB document, with Temper's field names. */
  public JsonObject toStorage() {
    return new JsonObject()
        .put("event_id", eventId.toString())
        .put("causation_id", causationId.toString())
        .put("correlation_id", correlationId.toString())
        .put("timestamp", IsoInstant.format(timestamp))
        .put("actor_id", actorId);
  }

  /**
   * {@link #toStorage()} as JSON text, written directly: it is encoded for every appended event, and ids and
   * ISO instants need no escaping. The actor id is escaped by Jackson's string encoder, as its generator escapes
   * strings, without a generator set up for one string on every event (the setup showed in profiles of appends).
   */
  public String toStorageJson() {
    return "{\"event_id\":\"" + eventId + "\",\"causation_id\":\"" + causationId + "\",\"correlation_id\":\""
        + correlationId + "\",\"timestamp\":\"" + IsoInstant.format(timestamp) + "\",\"actor_id\":\""
        + String.valueOf(JsonStringEncoder.getInstance().quoteAsString(actorId)) + "\"}";
  }
}
