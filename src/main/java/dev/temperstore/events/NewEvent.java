package dev.temperstore.events;

import java.util.Objects;

/**
 * An event to append. Its sequence number is assigned by the store.
 *
 * @param payload any JSON value but null: a {@code JsonObject}, {@code JsonArray}, String, Number or Boolean
 */
public record NewEvent(String eventType, Object payload, EventMetadata metadata) {

  public NewEvent {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(metadata, "metadata");
  }
}
