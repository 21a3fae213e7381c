package dev.temperstore.events;

import dev.temperstore.tenancy.PersistenceId;

import java.util.List;
import java.util.Objects;

/** Events for one stream, written at {@code expectedSequence + 1, + 2, …} only if the stream is at {@code expectedSequence}. */
public record AppendRequest(PersistenceId persistenceId, long expectedSequence, List<NewEvent> events) {

  public AppendRequest {
    Objects.requireNonNull(persistenceId, "persistenceId");
    events = List.copyOf(events);
  }
}
