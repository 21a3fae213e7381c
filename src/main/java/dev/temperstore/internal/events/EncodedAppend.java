package dev.temperstore.internal.events;

import dev.temperstore.errors.TooLarge;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.NewEvent;
import dev.temperstore.internal.input.Text;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * An append with its events already encoded as the JSON text the database receives: encoded once, when the
 * append is accepted, which is also where the payload size limit is checked.
 */
public record EncodedAppend(PersistenceId persistenceId, long expectedSequence, List<Event> events) {

  /** One event as sent to {@code temper_store_append}. */
  public record Event(String eventType, String payloadJson, String metadataJson, String eventId) {
  }

  /** @throws TooLarge when a payload's JSON is over {@code maxEventBytes} */
  public static EncodedAppend of(AppendRequest append, int maxEventBytes) {
    List<Event> events = new ArrayList<>(append.events().size());
    for (NewEvent event : append.events()) {
      String payload = Json.encode(event.payload());
      long bytes = Text.utf8Length(payload);
      if (bytes > maxEventBytes) {
        throw new TooLarge("event " + (events.size() + 1) + " of the append to " + append.persistenceId()
            + " has " + bytes + " bytes of JSON payload (UTF-8), over the limit of " + maxEventBytes);
      }
      events.add(new Event(event.eventType(), payload, event.metadata().toStorageJson(),
          event.metadata().eventId().toString()));
    }
    return new EncodedAppend(append.persistenceId(), append.expectedSequence(), events);
  }
}
