package dev.temperstore.subjects;

import dev.temperstore.tenancy.PersistenceId;

import java.util.Map;
import java.util.UUID;

/**
 * The personal fields of a subject that one event holds, decrypted, for the subject's right of access.
 *
 * @param fields each marked field's pointer and value
 */
public record PersonalRecord(PersistenceId stream, long sequenceNr, UUID eventId, Map<String, String> fields) {

  public PersonalRecord {
    fields = Map.copyOf(fields);
  }
}
