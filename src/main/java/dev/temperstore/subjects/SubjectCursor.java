package dev.temperstore.subjects;

import dev.temperstore.tenancy.PersistenceId;

/** Where a listing of a subject's events goes on: after this event. */
public record SubjectCursor(PersistenceId stream, long sequenceNr) {
}
