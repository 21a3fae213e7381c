package dev.temperstore.events;

import dev.temperstore.subjects.PersonalData;

import java.util.Objects;
import java.util.Optional;

/**
 * An event to append. Its sequence number is assigned by the store.
 *
 * @param payload  any JSON value but null: a {@code JsonObject}, {@code JsonArray}, String, Number or Boolean
 * @param personal the payload's fields that are a data subject's personal data, stored encrypted under the
 *                 subject's key; empty when nothing is
 */
public record NewEvent(String eventType, Object payload, EventMetadata metadata, Optional<PersonalData> personal) {

  /**
   * Event types that start with it are the store's own (the rows a deleted or tombstoned stream leaves behind):
   * an append of one is refused with 400.
   */
  public static final String RESERVED_PREFIX = "$";

  public NewEvent {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(personal, "personal");
  }

  /** An event with no personal data marked. */
  public NewEvent(String eventType, Object payload, EventMetadata metadata) {
    this(eventType, payload, metadata, Optional.empty());
  }

  /** This event with {@code personal}'s fields marked as a data subject's. */
  public NewEvent markedPersonal(PersonalData personal) {
    return new NewEvent(eventType, payload, metadata, Optional.of(personal));
  }
}
