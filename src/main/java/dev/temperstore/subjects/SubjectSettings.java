package dev.temperstore.subjects;

import java.time.Duration;
import java.util.Objects;

/**
 * How a store caches the subjects' data keys (unwrapped, in memory). A forget removes the key from the cache of the
 * store that served it at once and from every other store's when its notification arrives (a store drops every key
 * when its listener reconnects, since notifications sent meanwhile are lost); {@code keyCacheMaxAge} bounds how long
 * a store that cannot listen may still decrypt.
 *
 * @param keyCacheSize   keys held at most (least recently used go first)
 * @param keyCacheMaxAge how long a key is held after it was read from the database
 */
public record SubjectSettings(int keyCacheSize, Duration keyCacheMaxAge) {

  public static final int DEFAULT_KEY_CACHE_SIZE = 10_000;
  public static final Duration DEFAULT_KEY_CACHE_MAX_AGE = Duration.ofSeconds(60);

  public SubjectSettings {
    Objects.requireNonNull(keyCacheMaxAge, "keyCacheMaxAge");
    if (keyCacheSize < 1) {
      throw new IllegalArgumentException("temper.subjects.key-cache-size must be at least 1, got " + keyCacheSize);
    }
    if (keyCacheMaxAge.isNegative() || keyCacheMaxAge.isZero()) {
      throw new IllegalArgumentException("temper.subjects.key-cache-max-age must be positive, got "
          + keyCacheMaxAge);
    }
  }

  public static SubjectSettings defaults() {
    return new SubjectSettings(DEFAULT_KEY_CACHE_SIZE, DEFAULT_KEY_CACHE_MAX_AGE);
  }
}
