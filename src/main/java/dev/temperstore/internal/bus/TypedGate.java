package dev.temperstore.internal.bus;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.EventStore;
import dev.temperstore.events.NewEvent;
import dev.temperstore.internal.client.DirectCall;
import dev.temperstore.internal.client.DirectOperation.StreamRead;
import dev.temperstore.internal.events.EncodedPayload;
import dev.temperstore.internal.input.JsonValues;
import dev.temperstore.internal.input.Text;
import dev.temperstore.internal.wire.EventJson;
import dev.temperstore.protocol.BusLimits;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The input gate of {@link DirectCall}s: the rules the JSON gate applies ({@code Fields}, {@link EventJson}), applied
 * to requests that arrive typed, with the same limits and the same errors, named by the same paths (e.g.
 * {@code events[0].payload.items[3].name}). What the types check when they are made (a persistence id, the metadata's
 * ids, a personal-data marking's own shape) is not checked again; where the event store checks a rule again before it
 * queues an append (the expected sequence's room, reserved event types, marked fields present in the payload), it is
 * checked here all the same, so that the error names the field as the bus's does.
 *
 * <p>A request that passes comes back as the instance's own, because the caller may change its objects once the call
 * has returned, as it may a message it has sent: each payload encoded as the JSON text the database receives
 * ({@link EncodedPayload}), once, or copied where personal fields are marked in it, which sealing reads. The types
 * themselves are immutable.
 */
final class TypedGate {

  private TypedGate() {
  }

  /** {@code append} checked, with its payloads encoded or copied. */
  static AppendRequest append(AppendRequest append, BusLimits limits) {
    return append(() -> "", append, limits);
  }

  /** Each of {@code appends} checked as {@link #append}, named {@code appends[i]}. */
  static List<AppendRequest> appends(List<AppendRequest> appends, BusLimits limits) {
    if (appends.size() > limits.maxEventsPerAppend()) {
      throw new TooLarge("appends has " + appends.size() + " items, over the limit of " + limits.maxEventsPerAppend());
    }
    List<AppendRequest> checked = new ArrayList<>(appends.size());
    for (int i = 0; i < appends.size(); i++) {
      int index = i;
      checked.add(append(() -> "appends[" + index + "].", appends.get(i), limits));
    }
    return List.copyOf(checked);
  }

  /** {@code read} if its page is one the bus would serve. */
  static StreamRead read(StreamRead read, BusLimits limits) {
    if (read.fromSequence() < 0) {
      throw new InvalidRequest("fromSequence must be 0 or more, got " + read.fromSequence());
    }
    if (read.limit() < 1 || read.limit() > limits.maxReadLimit()) {
      throw new InvalidRequest("limit must be between 1 and " + limits.maxReadLimit() + ", got " + read.limit());
    }
    return read;
  }

  private static AppendRequest append(Supplier<String> path, AppendRequest append, BusLimits limits) {
    List<NewEvent> events = append.events();
    if (events.size() > limits.maxEventsPerAppend()) {
      throw new TooLarge(path.get() + "events has " + events.size() + " items, over the limit of "
          + limits.maxEventsPerAppend());
    }
    if (append.expectedSequence() < 0) {
      throw new InvalidRequest(path.get() + "expectedSequence must be 0 or more, got " + append.expectedSequence());
    }
    if (append.expectedSequence() > EventStore.HIGHEST_SEQUENCE - events.size()) {
      throw new InvalidRequest(path.get() + "expectedSequence leaves no room for " + events.size()
          + " more events below the highest sequence number, " + EventStore.HIGHEST_SEQUENCE);
    }
    List<NewEvent> copies = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      NewEvent event = events.get(i);
      int index = i;
      Supplier<String> where = () -> path.get() + "events[" + index + "].";
      EventJson.unreserved(() -> where.get() + "eventType",
          Text.bounded(() -> where.get() + "eventType", event.eventType(), EventJson.MAX_NAME_LENGTH));
      JsonValues.check(() -> where.get() + "payload", event.payload());
      Text.bounded(() -> where.get() + "metadata.actorId", event.metadata().actorId(), EventJson.MAX_NAME_LENGTH);
      if (event.personal().isPresent()) {
        try {
          event.personal().get().valuesIn(event.payload());
        } catch (InvalidRequest e) {
          throw new InvalidRequest(where.get() + "personal." + e.getMessage());
        }
      }
      // sealing reads a marked event's fields, so its payload stays an object, a copy; any other is encoded now
      Object payload = event.personal().isPresent() ? copy(event.payload()) : encoded(event.payload());
      copies.add(new NewEvent(event.eventType(), payload, event.metadata(), event.personal()));
    }
    return new AppendRequest(append.persistenceId(), append.expectedSequence(), copies);
  }

  /**
   * A payload that passed {@link JsonValues}, as the text the database receives. Jackson cannot write a few kinds of
   * value that Vert.x's copy turns into JSON values (a CharSequence other than a String becomes its text): a payload
   * holding one is copied first, then encoded, as every payload was before.
   */
  private static EncodedPayload encoded(Object payload) {
    try {
      return new EncodedPayload(Json.encode(payload));
    } catch (EncodeException e) {
      return new EncodedPayload(Json.encode(copy(payload)));
    }
  }

  /** A payload that passed {@link JsonValues}, as a value no one else holds: strings and numbers are immutable. */
  private static Object copy(Object payload) {
    if (payload instanceof JsonObject object) {
      return object.copy();
    }
    if (payload instanceof JsonArray array) {
      return array.copy();
    }
    if (payload instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> fields = (Map<String, Object>) map;
      return new JsonObject(fields).copy();
    }
    if (payload instanceof List<?> list) {
      return new JsonArray(list).copy();
    }
    if (payload instanceof CharSequence chars) {
      return chars.toString();
    }
    return payload;
  }
}
