package dev.temperstore.internal.events;

import dev.temperstore.errors.TooLarge;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.NewEvent;
import dev.temperstore.internal.input.Text;
import dev.temperstore.internal.subjects.SealedFields;
import dev.temperstore.internal.subjects.Sealer;
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
    return of(append, maxEventBytes, null);
  }

  /**
   * As {@link #of(AppendRequest, int)}, the personal fields of marked events sealed by {@code sealer} (null when no
   * event is marked): each at the sequence it will take, which its ciphertext is bound to.
   */
  public static EncodedAppend of(AppendRequest append, int maxEventBytes, Sealer sealer) {
    List<Event> events = new ArrayList<>(append.events().size());
    for (NewEvent event : append.events()) {
      String payload = event.payload() instanceof EncodedPayload encoded ? encoded.json()
          : Json.encode(event.payload());
      long bytes = Text.utf8Length(payload);
      if (bytes > maxEventBytes) {
        throw new TooLarge("event " + (events.size() + 1) + " of the append to " + append.persistenceId()
            + " has " + bytes + " bytes of JSON payload (UTF-8), over the limit of " + maxEventBytes);
      }
      String metadata = event.metadata().toStorageJson();
      if (event.personal().isPresent()) {
        long sequence = append.expectedSequence() + events.size() + 1;
        Sealer.Sealed sealed = sealer.seal(append.persistenceId(), sequence, event.personal().get(),
            event.payload());
        payload = Json.encode(sealed.payload());
        metadata = metadata.substring(0, metadata.length() - 1) + ",\"" + SealedFields.KEY + "\":"
            + sealed.personalJson() + "}";
      }
      events.add(new Event(event.eventType(), payload, metadata, event.metadata().eventId().toString()));
    }
    return new EncodedAppend(append.persistenceId(), append.expectedSequence(), events);
  }
}
