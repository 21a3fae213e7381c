package dev.temperstore.lifecycle;

import dev.temperstore.errors.InvalidRequest;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How long a tenant keeps the events of one entity type: an event older than {@code maxAge}, or more than
 * {@code maxCount} below its stream's head, is no longer served from that moment on, and the sweeper removes it.
 * At least one of the two is set.
 */
public record RetentionPolicy(String entityType, Optional<Duration> maxAge, OptionalLong maxCount) {

  /** The longest age a policy may keep: a century (longer is no policy at all). */
  public static final Duration MAX_AGE = Duration.ofDays(36_500);

  public RetentionPolicy {
    if (maxAge.isEmpty() && maxCount.isEmpty()) {
      throw new InvalidRequest("a retention policy for " + entityType + " needs maxAgeSeconds, maxCount or both");
    }
    maxAge.ifPresent(age -> {
      if (age.isNegative() || age.isZero() || age.compareTo(MAX_AGE) > 0) {
        throw new InvalidRequest("maxAgeSeconds must be between 1 and " + MAX_AGE.toSeconds() + ", got "
            + age.toSeconds());
      }
    });
    maxCount.ifPresent(count -> {
      if (count < 1) {
        throw new InvalidRequest("maxCount must be 1 or more, got " + count);
      }
    });
  }
}
