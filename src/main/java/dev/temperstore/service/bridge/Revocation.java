package dev.temperstore.service.bridge;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.internal.input.Text;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A revocation as an operator asks for it, checked: one token by its {@code jti}, or every token of a
 * {@code subject} issued before {@code issuedBefore}. It stays in force until {@code expiresAt}, when every token
 * it names would have expired anyway ({@code temper.bridge.auth.max-token-lifetime} after it was issued).
 */
public record Revocation(Optional<String> jti, Optional<String> subject, Instant issuedBefore, Instant expiresAt,
                         String reason) {

  /** The longest reason kept, in characters. */
  public static final int MAX_REASON_LENGTH = 256;

  /**
   * @param issuedBefore for a subject: tokens issued before it are revoked (default {@code now}); not in the future
   * @throws InvalidRequest naming what is wrong
   */
  public static Revocation of(Optional<String> jti, Optional<String> subject, Optional<Instant> issuedBefore,
                              Optional<String> reason, Instant now, Duration maxLifetime) {
    if (jti.isPresent() == subject.isPresent()) {
      throw new InvalidRequest("a revocation names a jti (one token) or a subject (every token issued to it before"
          + " a time), exactly one of the two");
    }
    jti.ifPresent(id -> id("jti", id));
    subject.ifPresent(id -> id("subject", id));
    String why = reason.orElse("");
    if (why.length() > MAX_REASON_LENGTH) {
      throw new InvalidRequest("reason is longer than " + MAX_REASON_LENGTH + " characters");
    }
    Text.check("reason", why);
    if (jti.isPresent()) {
      if (issuedBefore.isPresent()) {
        throw new InvalidRequest("issuedBefore goes with a subject, not with a jti");
      }
      // a token valid now was issued at most now: it expires within the longest lifetime from now
      return new Revocation(jti, subject, now, now.plus(maxLifetime), why);
    }
    Instant before = issuedBefore.orElse(now);
    if (before.isAfter(now)) {
      throw new InvalidRequest("issuedBefore " + before + " is in the future: revoke what was issued until now");
    }
    return new Revocation(jti, subject, before, before.plus(maxLifetime), why);
  }

  private static void id(String name, String value) {
    if (value.isEmpty() || value.length() > Grant.MAX_ID_LENGTH) {
      throw new InvalidRequest(name + " must be 1 to " + Grant.MAX_ID_LENGTH + " characters, got " + value.length());
    }
    Text.check(name, value);
  }

  /** What it names, for a log line: never more than the id. */
  public String describe() {
    return jti.map(id -> "token " + Text.shown(id))
        .orElseGet(() -> "every token of subject " + Text.shown(subject.orElseThrow()) + " issued before "
            + issuedBefore);
  }
}
