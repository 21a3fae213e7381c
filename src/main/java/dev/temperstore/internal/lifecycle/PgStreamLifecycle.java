package dev.temperstore.internal.lifecycle;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.events.EventStore;
import dev.temperstore.internal.input.Text;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.lifecycle.RetentionPolicy;
import dev.temperstore.lifecycle.StreamChange;
import dev.temperstore.lifecycle.StreamLifecycle;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Stream lifecycle and retention on PostgreSQL: each operation one function call (db/functions/lifecycle/). */
public final class PgStreamLifecycle implements StreamLifecycle {

  private static final String CHANGE = "SELECT outcome, head, hidden_below, events, snapshots"
      + " FROM temper_store_change_stream($1, $2, $3, $4, $5, $6, $7)";
  private static final String SET = "SELECT temper_store_set_retention($1, $2, $3, $4, $5)";
  private static final String CLEAR = "SELECT temper_store_clear_retention($1, $2, $3) AS cleared";
  private static final String LIST = "SELECT entity_type, max_age_ms, max_count FROM temper_store_list_retention($1)";

  private final Pool pool;

  public PgStreamLifecycle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Uni<StreamChange> truncate(PersistenceId stream, long before, OptionalLong expectedHead, String actor) {
    return Uni.createFrom().deferred(() -> {
      if (before < 1 || before > EventStore.HIGHEST_SEQUENCE) {
        throw new InvalidRequest("truncate of " + stream + ": before must be between 1 and "
            + EventStore.HIGHEST_SEQUENCE + ", got " + before);
      }
      return change(stream, "truncate", before, expectedHead, actor);
    });
  }

  @Override
  public Uni<StreamChange> delete(PersistenceId stream, OptionalLong expectedHead, String actor) {
    return Uni.createFrom().deferred(() -> change(stream, "delete", 0, expectedHead, actor));
  }

  @Override
  public Uni<StreamChange> tombstone(PersistenceId stream, OptionalLong expectedHead, String actor) {
    return Uni.createFrom().deferred(() -> change(stream, "tombstone", 0, expectedHead, actor));
  }

  private Uni<StreamChange> change(PersistenceId stream, String action, long before, OptionalLong expected,
                                   String actor) {
    if (expected.isPresent() && (expected.getAsLong() < 0 || expected.getAsLong() > EventStore.HIGHEST_SEQUENCE)) {
      throw new InvalidRequest(action + " of " + stream + ": expectedSequence must be between 0 and "
          + EventStore.HIGHEST_SEQUENCE + ", got " + expected.getAsLong());
    }
    Tuple args = Tuple.of(stream.tenant(), stream.entityType(), stream.entityId(), action,
        action.equals("truncate") ? before : null, expected.isPresent() ? expected.getAsLong() : null,
        actor(actor));
    return Reactive.uni(() -> pool.preparedQuery(CHANGE).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException(action + " of " + stream, e))
        .map(rows -> {
          Row row = rows.iterator().next();
          String outcome = row.getString("outcome");
          long head = row.getLong("head");
          long hiddenBelow = Math.max(1, row.getLong("hidden_below"));
          return switch (outcome) {
            case "conflict" -> throw new ConcurrencyConflict(stream.toString(), expected.getAsLong(), head);
            case "beyond" -> throw new InvalidRequest("truncate of " + stream + " before " + before
                + " is past its next sequence, " + (head + 1));
            case "tombstoned" -> new StreamChange(stream, false, head, hiddenBelow, 0, 0, true);
            default -> new StreamChange(stream, outcome.equals("done"), head, hiddenBelow,
                row.getLong("events"), row.getLong("snapshots"), action.equals("tombstone"));
          };
        });
  }

  @Override
  public Uni<Void> setRetention(String tenant, RetentionPolicy policy, String actor) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      PersistenceId.checkEntityType(policy.entityType());
      Tuple args = Tuple.of(tenant, policy.entityType(), policy.maxAge().map(Duration::toMillis).orElse(null),
          policy.maxCount().isPresent() ? policy.maxCount().getAsLong() : null, actor(actor));
      return Reactive.uni(() -> pool.preparedQuery(SET).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("retention policy of " + tenant + " for "
              + policy.entityType(), e))
          .replaceWithVoid();
    });
  }

  @Override
  public Uni<Boolean> clearRetention(String tenant, String entityType, String actor) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      PersistenceId.checkEntityType(entityType);
      return Reactive.uni(() -> pool.preparedQuery(CLEAR).execute(Tuple.of(tenant, entityType, actor(actor))))
          .onFailure().transform(e -> SqlErrors.toStoreException("retention policy of " + tenant + " for "
              + entityType, e))
          .map(rows -> rows.iterator().next().getBoolean("cleared"));
    });
  }

  @Override
  public Uni<List<RetentionPolicy>> retention(String tenant) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      return Reactive.uni(() -> pool.preparedQuery(LIST).execute(Tuple.of(tenant)))
          .onFailure().transform(e -> SqlErrors.toStoreException("retention policies of " + tenant, e))
          .map(rows -> {
            List<RetentionPolicy> policies = new ArrayList<>();
            for (Row row : rows) {
              Long age = row.getLong("max_age_ms");
              Long count = row.getLong("max_count");
              policies.add(new RetentionPolicy(row.getString("entity_type"),
                  Optional.ofNullable(age).map(Duration::ofMillis),
                  count == null ? OptionalLong.empty() : OptionalLong.of(count)));
            }
            return policies;
          });
    });
  }

  /** Who asked, as the audit keeps it: clean text of at most 80 code points ({@link Text#shown}), never empty. */
  static String actor(String actor) {
    return actor == null || actor.isBlank() ? "unnamed" : Text.shown(actor);
  }
}
