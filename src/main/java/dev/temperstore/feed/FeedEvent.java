package dev.temperstore.feed;

import dev.temperstore.events.StoredEvent;
import dev.temperstore.tenancy.PersistenceId;

/** An event as the feed delivers it: where it stands in the global order, its stream, and the event itself. */
public record FeedEvent(FeedPosition position, PersistenceId persistenceId, StoredEvent event) {
}
