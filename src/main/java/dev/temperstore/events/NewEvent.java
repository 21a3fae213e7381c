package dev.temperstore.events;

import java.util.Objects;

/**
 * An event to append. Its sequence number is assigned by the store.
 *
 * @param payload any JSON value but null: a {@code JsonObject}, {@code JsonArray}, String, Number or Boolean
 */
public record NewEvent(String eventType, Object payload, EventMetadata metadata) {

  /**
   * Event types that start with it are the store's own (the rows a deleted or tombstoned stream leaves behind):
   * an append of one is refused with 400.
   */
  public static final String RESERVED_PREFIX = "$";

  public NewEvent {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(metadata, "metadata");
  }
}
