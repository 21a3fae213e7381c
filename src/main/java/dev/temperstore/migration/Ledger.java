package dev.temperstore.migration;

import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The table that records every applied step with the checksum of its SQL.
 *
 * <p>It is created at the end of the first run, inside the run's transaction, so a role that may not create
 * tables fails on the first schema step with that step's name, and a failed first run leaves no trace.
 */
final class Ledger {

  static final String TABLE = "temper_store_migrations";

  private static final String EXISTS = "SELECT to_regclass('" + TABLE + "') IS NOT NULL AS present";
  private static final String READ = "SELECT label, checksum FROM " + TABLE + " ORDER BY position";
  private static final String CREATE = """
      CREATE TABLE IF NOT EXISTS %s (
          label        TEXT PRIMARY KEY,
          position     INT NOT NULL,
          checksum     TEXT NOT NULL CHECK (length(checksum) = 64),
          execution_ms BIGINT NOT NULL,
          applied_at   TIMESTAMPTZ NOT NULL DEFAULT now()
      )""".formatted(TABLE);
  private static final String RECORD =
      "INSERT INTO " + TABLE + " (label, position, checksum, execution_ms) VALUES ($1, $2, $3, $4)";

  /** One step applied by this run, to be recorded. */
  record Entry(MigrationStep step, int position, long executionMillis) {
  }

  private Ledger() {
  }

  /** Applied labels and their checksums, in applied order; empty when the ledger does not exist yet. */
  static Uni<Map<String, String>> read(SqlConnection connection) {
    return Reactive.uni(() -> connection.query(EXISTS).execute())
        .map(rows -> rows.iterator().next().getBoolean("present"))
        .flatMap(present -> present
            ? Reactive.uni(() -> connection.query(READ).execute()).map(Ledger::toMap)
            : Uni.createFrom().item(Map.<String, String>of()))
        .onFailure(e -> !(e instanceof MigrationFailed)).transform(e ->
            new MigrationFailed(null, "failed to read migration ledger " + TABLE + ": " + e.getMessage(), e));
  }

  /** Creates the ledger if needed and records {@code entries}: part of the run's transaction. */
  static Uni<Void> record(SqlConnection connection, List<Entry> entries) {
    if (entries.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Tuple> rows = entries.stream()
        .map(e -> Tuple.of(e.step().label(), e.position(), e.step().checksum(), e.executionMillis()))
        .collect(Collectors.toList());
    return Reactive.uni(() -> connection.query(CREATE).execute())
        .onFailure().transform(e ->
            new MigrationFailed(null, "failed to create migration ledger " + TABLE + ": " + e.getMessage(), e))
        .flatMap(created -> Reactive.uni(() -> connection.preparedQuery(RECORD).executeBatch(rows))
            .onFailure().transform(e ->
                new MigrationFailed(null, "failed to record applied steps in " + TABLE + ": " + e.getMessage(), e)))
        .replaceWithVoid();
  }

  private static Map<String, String> toMap(Iterable<Row> rows) {
    Map<String, String> applied = new LinkedHashMap<>();
    rows.forEach(row -> applied.put(row.getString("label"), row.getString("checksum")));
    return applied;
  }
}
