package dev.temperstore.subjects;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why an event's personal fields read as their replacements rather than as written.
 *
 * @param fields the fields replaced: every personal field of the event
 * @param since  when the subject was forgotten; empty when the fields could not be decrypted for another reason
 *               (see {@code reason})
 * @param reason {@link #FORGOTTEN}, or {@link #UNREADABLE}: the data key is not available to this store (its master
 *               key version is not configured) or the ciphertext does not authenticate (altered, or moved from the
 *               event it was written for)
 */
public record Redaction(List<String> fields, Optional<Instant> since, String reason) {

  public static final String FORGOTTEN = "forgotten";
  public static final String UNREADABLE = "unreadable";

  public Redaction {
    fields = List.copyOf(fields);
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(reason, "reason");
  }
}
