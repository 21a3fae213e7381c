package dev.temperstore.internal.subjects;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.SubjectForgotten;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.subjects.SubjectSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The subjects' data keys: read from {@code temper_store_subject_keys} (subjects/keys.sql), unwrapped, and cached,
 * bounded by count and age ({@link SubjectSettings}). A forgotten subject is cached as such, and a key read from the
 * database while the forget arrived never replaces it; a key that cannot be used is never cached.
 *
 * <p>Thread-safe (the cache is Caffeine's); the database is asked once per call for every subject not cached.
 */
public final class SubjectKeys {

  private static final String READ = "SELECT subject, key_version, nonce, wrapped_key, forgotten_at"
      + " FROM temper_store_subject_keys($1, $2)";
  private static final String CREATE = "SELECT key_version, nonce, wrapped_key, forgotten_at"
      + " FROM temper_store_create_subject_key($1, $2, $3, $4, $5)";
  /** Says which key configures master keys, for the refusal of a marked append without one. */
  static final String NO_MASTER_KEY = "personal data needs a master key: set temper.secrets.keys.<version>";

  /** One subject of one tenant. */
  record Ref(String tenant, String subject) {
  }

  private final Pool pool;
  private final Optional<SubjectCipher> cipher;
  private final Cache<Ref, KeyState> cache;

  /** {@code cipher} empty: no master key is configured, so no personal field is written or read in the clear. */
  public SubjectKeys(Pool pool, Optional<SubjectCipher> cipher, SubjectSettings settings) {
    this.pool = pool;
    this.cipher = cipher;
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.keyCacheSize())
        .expireAfterWrite(settings.keyCacheMaxAge())
        .build();
  }

  /** No master key: no personal field is written, and every stored one reads as its replacement. */
  public static SubjectKeys disabled() {
    return new SubjectKeys(null, Optional.empty(), SubjectSettings.defaults());
  }

  public Optional<SubjectCipher> cipher() {
    return cipher;
  }

  /** The state of each of {@code subjects} of {@code tenant}, from the cache or else the database. */
  public Uni<Map<String, KeyState>> forReading(String tenant, Collection<String> subjects) {
    if (cipher.isEmpty()) {
      Map<String, KeyState> none = new HashMap<>();
      subjects.forEach(subject -> none.put(subject, new KeyState.Unavailable("no master key is configured")));
      return Uni.createFrom().item(none);
    }
    Map<String, KeyState> known = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String subject : subjects) {
      KeyState state = cache.getIfPresent(new Ref(tenant, subject));
      if (state != null) {
        known.put(subject, state);
      } else {
        missing.add(subject);
      }
    }
    if (missing.isEmpty()) {
      return Uni.createFrom().item(known);
    }
    return read(tenant, missing).map(read -> {
      known.putAll(read);
      return known;
    });
  }

  /** The state of one subject as the database has it now, bypassing (and not filling) the cache. */
  public Uni<KeyState> fresh(String tenant, String subject) {
    if (cipher.isEmpty()) {
      return Uni.createFrom().item(new KeyState.Unavailable("no master key is configured"));
    }
    return Reactive.uni(() -> pool.preparedQuery(READ).execute(Tuple.tuple().addString(tenant)
        .addArrayOfString(new String[] {subject})))
        .onFailure().transform(e -> SqlErrors.toStoreException("data key read of tenant " + tenant, e))
        .map(rows -> {
          for (Row row : rows) {
            return state(tenant, subject, row);
          }
          return new KeyState.Unavailable("no data key was ever made for it");
        });
  }

  /**
   * The keys to encrypt {@code subjects}' fields with, each made on first use.
   *
   * @return a failure {@link SubjectForgotten} for the first forgotten subject, {@link InvalidRequest} without a
   *     master key
   */
  public Uni<Map<String, KeyState.Live>> forWriting(String tenant, String what, Collection<String> subjects) {
    if (cipher.isEmpty()) {
      return Uni.createFrom().failure(new InvalidRequest(what + " marks personal data, but " + NO_MASTER_KEY));
    }
    return forReading(tenant, subjects).flatMap(states -> {
      Map<String, KeyState.Live> live = new HashMap<>();
      List<String> toCreate = new ArrayList<>();
      for (String subject : subjects) {
        KeyState state = states.get(subject);
        if (state instanceof KeyState.Forgotten forgotten) {
          return Uni.createFrom().failure(SubjectForgotten.refused(what, subject, forgotten.since().toString()));
        } else if (state instanceof KeyState.Live key) {
          live.put(subject, key);
        } else if (state == null || state instanceof KeyState.Unavailable) {
          toCreate.add(subject);
        }
      }
      Uni<Void> created = Uni.createFrom().voidItem();
      for (String subject : toCreate) {
        created = created.flatMap(ignored -> create(tenant, what, subject).invoke(key -> live.put(subject, key))
            .replaceWithVoid());
      }
      return created.map(ignored -> live);
    });
  }

  /** {@code subject} of {@code tenant} was forgotten at {@code since}: its key is never used here again. */
  public void forgotten(String tenant, String subject, java.time.Instant since) {
    cache.put(new Ref(tenant, subject), new KeyState.Forgotten(since));
  }

  /**
   * Drops every key held (the forgotten stay forgotten): the listener for forgets was away, so a forget made
   * meanwhile on another store may be missing here; keys are read again as needed.
   */
  public void dropKeys() {
    cache.asMap().values().removeIf(state -> state instanceof KeyState.Live);
  }

  /** The key state cached for the subject, for the forget's check: whether this store still holds a key for it. */
  public Optional<KeyState> cached(String tenant, String subject) {
    return Optional.ofNullable(cache.getIfPresent(new Ref(tenant, subject)));
  }

  private Uni<Map<String, KeyState>> read(String tenant, List<String> subjects) {
    return Reactive.uni(() -> pool.preparedQuery(READ).execute(Tuple.tuple().addString(tenant)
        .addArrayOfString(subjects.toArray(String[]::new))))
        .onFailure().transform(e -> SqlErrors.toStoreException("data key read of tenant " + tenant, e))
        .map(rows -> {
          Map<String, KeyState> read = new HashMap<>();
          for (Row row : rows) {
            String subject = row.getString("subject");
            read.put(subject, remember(tenant, subject, state(tenant, subject, row)));
          }
          return read;
        });
  }

  private Uni<KeyState.Live> create(String tenant, String what, String subject) {
    SubjectCipher.NewKey made = cipher.orElseThrow().newKey(tenant, subject);
    SubjectCipher.WrappedKey stored = made.stored();
    Tuple args = Tuple.of(tenant, subject, stored.version(), Buffer.buffer(stored.nonce()),
        Buffer.buffer(stored.wrapped()));
    return Reactive.uni(() -> pool.preparedQuery(CREATE).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException("data key of a subject of tenant " + tenant, e))
        .flatMap(rows -> {
          RowSet<Row> set = rows;
          Row row = set.iterator().next();
          KeyState state = remember(tenant, subject, state(tenant, subject, row));
          if (state instanceof KeyState.Live live) {
            return Uni.createFrom().item(live);
          }
          if (state instanceof KeyState.Forgotten forgotten) {
            return Uni.createFrom().failure(SubjectForgotten.refused(what, subject, forgotten.since().toString()));
          }
          return Uni.createFrom().failure(new dev.temperstore.errors.StorageFailure("the data key of subject "
              + subject + " of tenant " + tenant + " cannot be used: " + ((KeyState.Unavailable) state).why(), null));
        });
  }

  /** Caches {@code state} unless it cannot be used, or the subject became forgotten meanwhile; the state to use. */
  private KeyState remember(String tenant, String subject, KeyState state) {
    if (state instanceof KeyState.Unavailable) {
      return state;
    }
    return cache.asMap().compute(new Ref(tenant, subject),
        (ref, old) -> old instanceof KeyState.Forgotten ? old : state);
  }

  private KeyState state(String tenant, String subject, Row row) {
    OffsetDateTime forgotten = row.getOffsetDateTime("forgotten_at");
    if (forgotten != null) {
      return new KeyState.Forgotten(forgotten.toInstant());
    }
    try {
      return new KeyState.Live(cipher.orElseThrow().unwrap(tenant, subject, new SubjectCipher.WrappedKey(
          row.getInteger("key_version"), row.getBuffer("nonce").getBytes(), row.getBuffer("wrapped_key").getBytes())));
    } catch (SubjectCipher.KeyUnavailable e) {
      return new KeyState.Unavailable(e.getMessage());
    }
  }
}
