package dev.temperstore.subjects;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A page of a subject's personal data, in stream order.
 *
 * @param records the events' personal fields; empty once the subject is forgotten (see {@code forgotten})
 * @param next        where the next page starts; empty when this one is the last
 * @param forgottenAt when the subject was forgotten (its fields can no longer be exported); empty while it is not
 */
public record SubjectExport(String tenant, String subject, List<PersonalRecord> records,
                            Optional<SubjectCursor> next, Optional<Instant> forgottenAt) {

  public SubjectExport {
    records = List.copyOf(records);
  }
}
