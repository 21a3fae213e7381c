package dev.temperstore.events;

import dev.temperstore.tenancy.PersistenceId;

/** One stream of an {@code appendBatch}: its new highest sequence number. */
public record AppendResult(PersistenceId persistenceId, long sequenceNr) {
}
