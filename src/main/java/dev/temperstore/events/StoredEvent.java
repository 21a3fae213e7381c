package dev.temperstore.events;

/** An event as read back: its position in the stream, and what was appended. */
public record StoredEvent(long sequenceNr, String eventType, Object payload, EventMetadata metadata) {
}
