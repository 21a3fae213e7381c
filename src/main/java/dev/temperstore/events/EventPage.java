package dev.temperstore.events;

import java.util.List;

/**
 * One page of a stream, in sequence order.
 *
 * @param nextFrom pass as {@code fromSequence} to read the following page (the last sequence read here)
 * @param hasMore  whether the stream held more events after this page when it was read
 */
public record EventPage(List<StoredEvent> events, long nextFrom, boolean hasMore) {

  public EventPage {
    events = List.copyOf(events);
  }
}
