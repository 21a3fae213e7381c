package dev.temperstore.internal.wire;

import dev.temperstore.protocol.BusLimits;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.EntityId;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.IsoInstant;
import dev.temperstore.events.EventStore;
import dev.temperstore.events.NewEvent;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.internal.input.Text;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/** The wire form of events and their parts, shared by the handlers and the typed client. */
public final class EventJson {

  /** Bounds on strings that are stored and indexed; longer ones are refused with a 400. */
  public static final int MAX_NAME_LENGTH = 256;

  private EventJson() {
  }

  public static JsonObject metadata(EventMetadata metadata) {
    return new JsonObject()
        .put("eventId", metadata.eventId().toString())
        .put("causationId", metadata.causationId().toString())
        .put("correlationId", metadata.correlationId().toString())
        .put("timestamp", IsoInstant.format(metadata.timestamp()))
        .put("actorId", metadata.actorId());
  }

  /** {@code eventId} and {@code actorId} are required; causation and correlation default to the event itself. */
  public static EventMetadata metadata(Fields fields) {
    UUID eventId = fields.uuid("eventId");
    return new EventMetadata(eventId,
        fields.optionalUuid("causationId").orElse(eventId),
        fields.optionalUuid("correlationId").orElse(eventId),
        fields.optionalInstant("timestamp").orElseGet(Instant::now),
        fields.string("actorId", MAX_NAME_LENGTH));
  }

  public static JsonObject newEvent(NewEvent event) {
    JsonObject json = new JsonObject().put("eventType", event.eventType()).put("payload", event.payload())
        .put("metadata", metadata(event.metadata()));
    event.personal().ifPresent(personal -> json.put("personal", SubjectJson.personal(personal)));
    return json;
  }

  /** The payload's size is checked by the store, which encodes it once (413 when over the limit). */
  public static NewEvent newEvent(Fields fields) {
    String type = unreserved(() -> fields.where("eventType"), fields.string("eventType", MAX_NAME_LENGTH));
    Object payload = fields.jsonValue("payload");
    EventMetadata metadata = metadata(fields.object("metadata"));
    return new NewEvent(type, payload, metadata,
        fields.optionalObject("personal").map(personal -> SubjectJson.personal(personal, payload)));
  }

  /** {@code type} unless the store reserves it for its own rows (a 400 naming {@code where}, asked only then). */
  public static String unreserved(Supplier<String> where, String type) {
    if (type.startsWith(NewEvent.RESERVED_PREFIX)) {
      throw new InvalidRequest(where.get() + " \"" + Text.shown(type) + "\" starts with '"
          + NewEvent.RESERVED_PREFIX + "', which the store reserves for its own rows");
    }
    return type;
  }

  private static final List<JsonView.Field<EventMetadata>> METADATA_FIELDS = List.of(
      new JsonView.Field<>("eventId", metadata -> metadata.eventId().toString()),
      new JsonView.Field<>("causationId", metadata -> metadata.causationId().toString()),
      new JsonView.Field<>("correlationId", metadata -> metadata.correlationId().toString()),
      new JsonView.Field<>("timestamp", metadata -> IsoInstant.format(metadata.timestamp())),
      new JsonView.Field<>("actorId", EventMetadata::actorId));

  /** The fields of a stored event in a reply, read from whatever holds it (a stored event, or a feed event). */
  public static <T> List<JsonView.Field<T>> storedEventFields(Function<T, StoredEvent> event) {
    return List.of(
        new JsonView.Field<>("sequenceNr", holder -> event.apply(holder).sequenceNr()),
        new JsonView.Field<>("eventType", holder -> event.apply(holder).eventType()),
        new JsonView.Field<>("payload", holder -> event.apply(holder).payload()),
        new JsonView.Field<>("metadata", holder -> JsonView.of(event.apply(holder).metadata(), METADATA_FIELDS)));
  }

  /**
   * {@code plain} for an event without personal data; with its {@code personal} field, and {@code redacted} when it
   * is, for one with: an event without keeps the reply it always had.
   */
  static <T> List<List<JsonView.Field<T>>> variants(List<JsonView.Field<T>> plain, Function<T, StoredEvent> event) {
    List<JsonView.Field<T>> personal = new ArrayList<>(plain);
    personal.addAll(SubjectJson.eventFields(event, false));
    List<JsonView.Field<T>> redacted = new ArrayList<>(plain);
    redacted.addAll(SubjectJson.eventFields(event, true));
    return List.of(plain, List.copyOf(personal), List.copyOf(redacted));
  }

  /** Of {@link #variants}, the one for {@code event}. */
  static <T> List<JsonView.Field<T>> variant(List<List<JsonView.Field<T>>> variants, StoredEvent event) {
    return event.personal().isEmpty() ? variants.get(0) : event.redaction().isEmpty() ? variants.get(1)
        : variants.get(2);
  }

  private static final List<List<JsonView.Field<StoredEvent>>> STORED_EVENT_FIELDS =
      variants(storedEventFields(event -> event), event -> event);

  /** A stored event in a reply: a view of it, which a typed client in this JVM takes back as it is. */
  public static JsonObject storedEvent(StoredEvent event) {
    return JsonView.of(event, variant(STORED_EVENT_FIELDS, event));
  }


  /**
   * A stored event as the store replies with it, read without the input gate: the store wrote it from checked
   * input, and the gate's walks over payloads and its UUID patterns took most of a typed client's time on reads
   * (docs/decisions/0008-replies-read-as-written-metadata-as-text.md).
   */
  public static StoredEvent storedEventReply(JsonObject json) {
    StoredEvent shared = JsonView.sourceOf(json, StoredEvent.class);
    if (shared != null) {
      return shared;
    }
    JsonObject personal = json.getJsonObject("personal");
    JsonObject redacted = json.getJsonObject("redacted");
    return new StoredEvent(json.getLong("sequenceNr"), json.getString("eventType"), json.getValue("payload"),
        metadataReply(json.getJsonObject("metadata")),
        personal == null ? java.util.Optional.empty() : java.util.Optional.of(SubjectJson.personalReply(personal)),
        redacted == null ? java.util.Optional.empty() : java.util.Optional.of(SubjectJson.redactionReply(redacted)));
  }

  private static final List<JsonView.Field<EventPage>> PAGE_FIELDS = List.of(
      new JsonView.Field<>("events",
          page -> new JsonArray(page.events().stream().map(EventJson::storedEvent).toList())),
      new JsonView.Field<>("nextFrom", EventPage::nextFrom),
      new JsonView.Field<>("hasMore", EventPage::hasMore));

  /** A page in a reply: a view of it, which a typed client in this JVM takes back as it is (see JsonView). */
  public static JsonObject page(EventPage page) {
    return JsonView.of(page, PAGE_FIELDS);
  }

  /** A page as the store replies with it, read without the input gate. */
  public static EventPage pageReply(JsonObject json) {
    EventPage shared = JsonView.sourceOf(json, EventPage.class);
    if (shared != null) {
      return shared;
    }
    return new EventPage(replies(json.getJsonArray("events"), EventJson::storedEventReply), json.getLong("nextFrom"),
        json.getBoolean("hasMore"));
  }

  /** Each object of a reply's array, read by {@code reply}. */
  public static <T> List<T> replies(JsonArray array, Function<JsonObject, T> reply) {
    List<T> read = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      read.add(reply.apply(array.getJsonObject(i)));
    }
    return read;
  }

  private static EventMetadata metadataReply(JsonObject json) {
    return new EventMetadata(UUID.fromString(json.getString("eventId")),
        UUID.fromString(json.getString("causationId")),
        UUID.fromString(json.getString("correlationId")),
        IsoInstant.parse(json.getString("timestamp")),
        json.getString("actorId"));
  }

  public static JsonObject append(AppendRequest append) {
    return new JsonObject().put("persistenceId", append.persistenceId().toString())
        .put("expectedSequence", append.expectedSequence())
        .put("events", new JsonArray(append.events().stream().map(EventJson::newEvent).toList()));
  }

  public static AppendRequest append(Fields fields, BusLimits limits) {
    PersistenceId id = persistenceId(fields);
    long expected = fields.nonNegativeLong("expectedSequence");
    List<NewEvent> events = fields.objects("events", limits.maxEventsPerAppend()).stream()
        .map(EventJson::newEvent)
        .toList();
    if (expected > EventStore.HIGHEST_SEQUENCE - events.size()) {
      throw new InvalidRequest(fields.where("expectedSequence") + " leaves no room for " + events.size()
          + " more events below the highest sequence number, " + EventStore.HIGHEST_SEQUENCE);
    }
    return new AppendRequest(id, expected, events);
  }

  public static PersistenceId persistenceId(Fields fields) {
    String text = fields.string("persistenceId", PersistenceId.MAX_LENGTH);
    try {
      return PersistenceId.parse(text);
    } catch (RuntimeException e) {
      throw new InvalidRequest(fields.where("persistenceId") + ": " + e.getMessage());
    }
  }

  public static JsonObject entityId(EntityId id) {
    return new JsonObject().put("entityType", id.entityType()).put("entityId", id.entityId());
  }

  public static EntityId entityId(Fields fields) {
    return new EntityId(fields.string("entityType", PersistenceId.MAX_LENGTH),
        fields.string("entityId", PersistenceId.MAX_LENGTH));
  }
}
