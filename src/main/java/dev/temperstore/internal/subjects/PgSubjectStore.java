package dev.temperstore.internal.subjects;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.internal.input.Text;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.subjects.ForgetReceipt;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.subjects.PersonalRecord;
import dev.temperstore.subjects.SubjectCheck;
import dev.temperstore.subjects.SubjectCursor;
import dev.temperstore.subjects.SubjectExport;
import dev.temperstore.subjects.SubjectStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Subjects on PostgreSQL (subjects/keys.sql): the forget in one statement, then the key dropped from this store's
 * cache and {@code forgotten} told (the deliverers of this process, its sibling stores) before the caller hears of
 * it; other processes drop it when the forget's notification reaches them.
 */
public final class PgSubjectStore implements SubjectStore {

  private static final String FORGET = "SELECT forgotten_at, already FROM temper_store_forget_subject($1, $2, $3)";
  private static final String EVENTS = "SELECT entity_type, entity_id, sequence_nr, event_id, personal"
      + " FROM temper_store_subject_events($1, $2, $3, $4, $5, $6)";

  /** NOTIFYed at the commit of each forget, with tenant, subject and since as JSON (subjects/keys.sql). */
  public static final String CHANNEL = "temper_store_subjects";

  /** A subject forgotten, as the store tells its own parts. */
  public record Forgotten(String tenant, String subject, Instant since) {
  }

  private final Pool pool;
  private final SubjectKeys keys;
  private final int maxLimit;
  private final Consumer<Forgotten> forgotten;

  public PgSubjectStore(Pool pool, SubjectKeys keys, int maxLimit, Consumer<Forgotten> forgotten) {
    this.pool = pool;
    this.keys = keys;
    this.maxLimit = maxLimit;
    this.forgotten = forgotten;
  }

  @Override
  public Uni<ForgetReceipt> forget(String tenant, String subject, String actor) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      checkSubject(subject);
      Text.check("actor", actor);
      return Reactive.uni(() -> pool.preparedQuery(FORGET).execute(Tuple.of(tenant, subject, actor)))
          .onFailure().transform(e -> SqlErrors.toStoreException("forget of subject " + subject + " of tenant "
              + tenant, e))
          .map(rows -> {
            Row row = rows.iterator().next();
            Instant since = row.getOffsetDateTime("forgotten_at").toInstant();
            keys.forgotten(tenant, subject, since);
            forgotten.accept(new Forgotten(tenant, subject, since));
            return new ForgetReceipt(tenant, subject, since, row.getBoolean("already"));
          });
    });
  }

  @Override
  public Uni<SubjectExport> export(String tenant, String subject, Optional<SubjectCursor> after, int limit) {
    return page(tenant, subject, after, limit).flatMap(page -> keys.forReading(tenant, List.of(subject))
        .map(states -> {
          KeyState state = states.get(subject);
          List<PersonalRecord> records = new ArrayList<>();
          if (state instanceof KeyState.Live live) {
            for (Entry entry : page.entries) {
              Optional<List<String>> values = open(live, entry);
              if (values.isPresent()) {
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 0; i < values.get().size(); i++) {
                  fields.put(entry.sealed.marking().fields().get(i), values.get().get(i));
                }
                records.add(new PersonalRecord(entry.stream, entry.sequence, entry.eventId, fields));
              }
            }
          }
          return new SubjectExport(tenant, subject, records, page.next,
              state instanceof KeyState.Forgotten gone ? Optional.of(gone.since()) : Optional.empty());
        }));
  }

  @Override
  public Uni<SubjectCheck> check(String tenant, String subject, Optional<SubjectCursor> after, int limit) {
    return page(tenant, subject, after, limit).flatMap(page -> keys.fresh(tenant, subject).map(stored -> {
      List<KeyState.Live> candidates = new ArrayList<>();
      if (stored instanceof KeyState.Live live) {
        candidates.add(live);
      }
      keys.cached(tenant, subject).filter(KeyState.Live.class::isInstance).map(KeyState.Live.class::cast)
          .ifPresent(candidates::add);
      long readable = 0;
      for (Entry entry : page.entries) {
        if (candidates.stream().anyMatch(key -> open(key, entry).isPresent())) {
          readable++;
        }
      }
      return new SubjectCheck(tenant, subject, page.entries.size(), readable,
          stored instanceof KeyState.Forgotten gone ? Optional.of(gone.since()) : Optional.empty(),
          stored instanceof KeyState.Live, page.next);
    }));
  }

  private record Entry(PersistenceId stream, long sequence, UUID eventId, SealedFields sealed) {
  }

  private record Page(List<Entry> entries, Optional<SubjectCursor> next) {
  }

  private Uni<Page> page(String tenant, String subject, Optional<SubjectCursor> after, int limit) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      checkSubject(subject);
      if (limit < 1 || limit > maxLimit) {
        throw new InvalidRequest("limit must be between 1 and " + maxLimit + ", got " + limit);
      }
      if (after.isPresent() && !after.get().stream().tenant().equals(tenant)) {
        throw new InvalidRequest("after names a stream of tenant " + after.get().stream().tenant()
            + ", not of " + tenant);
      }
      Tuple args = Tuple.of(tenant, subject, after.map(a -> a.stream().entityType()).orElse(""),
          after.map(a -> a.stream().entityId()).orElse(""), after.map(SubjectCursor::sequenceNr).orElse(-1L),
          limit + 1);
      return Reactive.uni(() -> pool.preparedQuery(EVENTS).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("events of subject " + subject + " of tenant "
              + tenant, e))
          .map(rows -> page(tenant, rows, limit));
    });
  }

  private static Page page(String tenant, RowSet<Row> rows, int limit) {
    List<Entry> entries = new ArrayList<>();
    for (Row row : rows) {
      if (entries.size() == limit) {
        break;
      }
      PersistenceId stream = new PersistenceId(tenant, row.getString("entity_type"), row.getString("entity_id"));
      long sequence = row.getLong("sequence_nr");
      SealedFields sealed;
      try {
        sealed = SealedFields.parse(row.getString("personal"));
      } catch (IllegalArgumentException e) {
        throw new dev.temperstore.errors.StorageFailure("serialization error: the personal fields of " + stream
            + " at sequence " + sequence + " cannot be read: " + e.getMessage(), e);
      }
      entries.add(new Entry(stream, sequence, UUID.fromString(row.getString("event_id")), sealed));
    }
    Optional<SubjectCursor> next = rows.size() > limit && !entries.isEmpty()
        ? Optional.of(new SubjectCursor(entries.get(entries.size() - 1).stream,
            entries.get(entries.size() - 1).sequence))
        : Optional.empty();
    return new Page(entries, next);
  }

  private Optional<List<String>> open(KeyState.Live key, Entry entry) {
    try {
      return Optional.of(keys.cipher().orElseThrow().open(key.key(), entry.stream, entry.sequence,
          entry.sealed.marking().subject(), entry.sealed.marking().fields(), entry.sealed.sealed()));
    } catch (SubjectCipher.KeyUnavailable e) {
      return Optional.empty();
    }
  }

  private static void checkSubject(String subject) {
    PersonalData.checkSubject(subject);
  }
}
