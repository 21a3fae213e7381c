package dev.temperstore.events;

/** An entity that has events: the stream's type and id within its tenant. */
public record EntityId(String entityType, String entityId) {
}
