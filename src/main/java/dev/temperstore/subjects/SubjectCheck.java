package dev.temperstore.subjects;

import java.time.Instant;
import java.util.Optional;

/**
 * A page of the proof that a forget worked: every stored event that carries the subject's personal fields, each
 * tried with every key this store could use for it (the key table's, its cache's).
 *
 * @param events      how many events of the page carry the subject
 * @param readable    how many of them still decrypt: 0 for every page once the subject is forgotten
 * @param forgottenAt when the subject was forgotten; empty while it is not
 * @param keyPresent  whether the key table still holds a key for the subject
 * @param next        where the next page starts; empty when this one is the last
 */
public record SubjectCheck(String tenant, String subject, long events, long readable,
                           Optional<Instant> forgottenAt, boolean keyPresent, Optional<SubjectCursor> next) {
}
