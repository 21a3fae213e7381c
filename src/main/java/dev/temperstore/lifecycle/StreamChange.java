package dev.temperstore.lifecycle;

import dev.temperstore.tenancy.PersistenceId;

/**
 * What a truncate, delete or tombstone did to a stream.
 *
 * @param stream     the stream
 * @param changed    false for an idempotent repeat (or a truncate or delete of a tombstoned stream): nothing new hidden
 * @param head       the stream's highest sequence when the change committed (0 for a stream never written)
 * @param servedFrom the lowest sequence the stream serves from now on: a re-created stream's first event is here
 * @param events     events this call hid
 * @param snapshots  snapshots this call removed (0 or 1)
 * @param tombstoned whether the stream is tombstoned: it takes no event ever again
 */
public record StreamChange(PersistenceId stream, boolean changed, long head, long servedFrom, long events,
                           long snapshots, boolean tombstoned) {
}
