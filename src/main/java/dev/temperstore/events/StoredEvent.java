package dev.temperstore.events;

import dev.temperstore.errors.StorageFailure;
import dev.temperstore.internal.input.Pointers;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.Redaction;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An event as read back: its position in the stream, and what was appended.
 *
 * <p>An event read from the database holds its payload as the JSON text PostgreSQL sent, and parses it the first
 * time {@link #payload()} is asked for: a reader that passes events on, or reads only some payloads, does not pay
 * for parsing the others (it was a third of the store's time on feed reads,
 * docs/decisions/0011-typed-pages-and-lazy-payloads.md). The payload is the reader's to look at, not to change: it is
 * parsed once and shared by every call.
 */
public final class StoredEvent {

  private final long sequenceNr;
  private final String eventType;
  private final EventMetadata metadata;
  /** The subject and fields of its personal data, when it has any; null else. */
  private final PersonalData personal;
  /** Why its personal fields read as their replacements; null when they read as written. */
  private final Redaction redaction;
  /** The payload as stored, until it is parsed; null once {@link #payload} is set. */
  private String payloadJson;
  /**
   * With {@link #payloadJson}: what each of {@link #personal}'s fields holds (null there in the stored text), put in
   * when the text is parsed; null when there is nothing to put.
   */
  private List<String> personalValues;
  private Object payload;

  /** @param payload any JSON value but null: a {@code JsonObject}, {@code JsonArray}, String, Number or Boolean */
  public StoredEvent(long sequenceNr, String eventType, Object payload, EventMetadata metadata) {
    this(sequenceNr, eventType, payload, metadata, (PersonalData) null, (Redaction) null);
  }

  /**
   * An event with personal data: {@code payload} holds its personal fields as written, or their replacements when
   * {@code redaction} is present.
   */
  public StoredEvent(long sequenceNr, String eventType, Object payload, EventMetadata metadata,
                     Optional<PersonalData> personal, Optional<Redaction> redaction) {
    this(sequenceNr, eventType, payload, metadata, personal.orElse(null), redaction.orElse(null));
  }

  private StoredEvent(long sequenceNr, String eventType, Object payload, EventMetadata metadata,
                      PersonalData personal, Redaction redaction) {
    this.sequenceNr = sequenceNr;
    this.eventType = eventType;
    this.payload = Objects.requireNonNull(payload, "payload");
    this.metadata = metadata;
    this.personal = personal;
    this.redaction = redaction;
  }

  private StoredEvent(long sequenceNr, String eventType, String payloadJson, EventMetadata metadata,
                      PersonalData personal, List<String> personalValues, Redaction redaction) {
    this.sequenceNr = sequenceNr;
    this.eventType = eventType;
    this.payloadJson = Objects.requireNonNull(payloadJson, "payloadJson");
    this.metadata = metadata;
    this.personal = personal;
    this.personalValues = personalValues;
    this.redaction = redaction;
  }

  /** An event whose payload is the JSON text {@code payloadJson}, parsed when first asked for. */
  public static StoredEvent withPayloadJson(long sequenceNr, String eventType, String payloadJson,
                                            EventMetadata metadata) {
    return new StoredEvent(sequenceNr, eventType, payloadJson, metadata, null, null, null);
  }

  /**
   * An event with personal data whose payload is the JSON text {@code payloadJson} with {@code values} at the
   * fields of {@code personal} (one each, in order: what was written, or the replacements when {@code redaction} is
   * present), parsed and filled in when first asked for, as a payload without personal data is.
   */
  public static StoredEvent withPayloadJson(long sequenceNr, String eventType, String payloadJson,
                                            EventMetadata metadata, PersonalData personal, List<String> values,
                                            Optional<Redaction> redaction) {
    if (values.size() != personal.fields().size()) {
      throw new IllegalArgumentException(values.size() + " values for " + personal.fields().size() + " fields");
    }
    return new StoredEvent(sequenceNr, eventType, payloadJson, metadata, personal,
        java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values)), redaction.orElse(null));
  }

  public long sequenceNr() {
    return sequenceNr;
  }

  public String eventType() {
    return eventType;
  }

  /**
   * The payload: a {@code JsonObject}, {@code JsonArray}, String, Number or Boolean.
   *
   * @throws StorageFailure when the stored text cannot be parsed (a row written by another program, beyond the
   *                        JSON parser's limits on nesting or number length)
   */
  public synchronized Object payload() {
    if (payload == null) {
      Object parsed = parse(payloadJson);
      if (personalValues != null) {
        for (int i = 0; i < personalValues.size(); i++) {
          try {
            Pointers.set(parsed, personal.fields().get(i), personalValues.get(i));
          } catch (IllegalArgumentException e) {
            throw new StorageFailure("serialization error: the payload of event " + metadata.eventId() + " (sequence "
                + sequenceNr + ") holds no personal field " + personal.fields().get(i), e);
          }
        }
      }
      payload = parsed;
      payloadJson = null;
      personalValues = null;
    }
    return payload;
  }

  /**
   * The length of the payload's JSON text: as stored while unparsed (no work; with personal values, their length
   * added: about the encoded length), else encoded anew.
   */
  public synchronized int payloadTextLength() {
    if (payloadJson == null) {
      return Json.encode(payload).length();
    }
    int length = payloadJson.length();
    if (personalValues != null) {
      for (String value : personalValues) {
        length += value == null ? 0 : value.length() + 2;
      }
    }
    return length;
  }

  /**
   * This event with a payload of its own, for a reader that may hold it while another gets the same event (a
   * delivery sent again): the same unparsed text when this one's is still unparsed, else a deep copy.
   */
  public synchronized StoredEvent copy() {
    if (payload == null) {
      return new StoredEvent(sequenceNr, eventType, payloadJson, metadata, personal, personalValues, redaction);
    }
    Object own = payload instanceof JsonObject object ? object.copy()
        : payload instanceof JsonArray array ? array.copy() : payload;
    return new StoredEvent(sequenceNr, eventType, own, metadata, personal, redaction);
  }

  public EventMetadata metadata() {
    return metadata;
  }

  /** The data subject and fields of the event's personal data; empty when it marks none. */
  public Optional<PersonalData> personal() {
    return Optional.ofNullable(personal);
  }

  /** Present when the personal fields read as their replacements: the subject was forgotten (or see the reason). */
  public Optional<Redaction> redaction() {
    return Optional.ofNullable(redaction);
  }

  /** As the PostgreSQL client reads a JSONB column: objects and arrays as Vert.x JSON, scalars as Java values. */
  private Object parse(String json) {
    try {
      return switch (json.isEmpty() ? ' ' : json.charAt(0)) {
        case '{' -> new JsonObject(json);
        case '[' -> new JsonArray(json);
        default -> Json.decodeValue(json);
      };
    } catch (RuntimeException e) {
      throw new StorageFailure("serialization error: the payload of event " + metadata.eventId() + " (sequence "
          + sequenceNr + ") cannot be read as JSON: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredEvent event && sequenceNr == event.sequenceNr && eventType.equals(event.eventType)
        && payload().equals(event.payload()) && metadata.equals(event.metadata)
        && Objects.equals(personal, event.personal) && Objects.equals(redaction, event.redaction);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sequenceNr, eventType, payload(), metadata);
  }

  /** The payload with its personal fields masked while they hold what was written: a log shows no personal data. */
  private Object shownPayload() {
    Object shown = payload();
    if (personal == null || redaction != null) {
      return shown;
    }
    Object masked = shown instanceof JsonObject object ? object.copy() : ((JsonArray) shown).copy();
    personal.fields().forEach(field -> Pointers.set(masked, field, "<personal>"));
    return masked;
  }

  @Override
  public String toString() {
    return "StoredEvent[sequenceNr=" + sequenceNr + ", eventType=" + eventType + ", payload=" + shownPayload()
        + ", metadata=" + metadata + (personal == null ? "" : ", personal=" + personal)
        + (redaction == null ? "" : ", redaction=" + redaction) + "]";
  }
}
