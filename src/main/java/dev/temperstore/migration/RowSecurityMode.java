package dev.temperstore.migration;

import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the tenant tables' owner is subject to row-level security too ({@code FORCE ROW LEVEL SECURITY}).
 * A deployment setting rather than a schema step: it follows the configuration on every start, and only tables
 * whose mode differs are altered.
 */
final class RowSecurityMode {

  private static final Logger LOG = LoggerFactory.getLogger(RowSecurityMode.class);

  private RowSecurityMode() {
  }

  static Uni<Void> apply(SqlConnection connection, boolean force) {
    String tables = String.join("','", TemperSchema.TENANT_TABLES);
    String differing = "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
        + " AND c.relkind = 'r' AND c.relname IN ('" + tables + "') AND c.relforcerowsecurity <> " + force;
    return Reactive.uni(() -> connection.query(differing).execute())
        .map(rows -> {
          List<String> names = new ArrayList<>();
          for (Row row : rows) {
            names.add(row.getString(0));
          }
          return names;
        })
        .flatMap(names -> Multi.createFrom().iterable(names)
            .onItem().transformToUniAndConcatenate(table -> alter(connection, table, force))
            .collect().asList())
        .onFailure(e -> !(e instanceof MigrationFailed)).transform(e ->
            new MigrationFailed(null, "failed to read row-level security mode: " + e.getMessage(), e))
        .replaceWithVoid();
  }

  private static Uni<Void> alter(SqlConnection connection, String table, boolean force) {
    String sql = "ALTER TABLE " + table + (force ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY";
    return Reactive.uni(() -> connection.query(sql).execute())
        .invoke(ignored -> LOG.info("{} row-level security on {}", force ? "forced" : "unforced", table))
        .onFailure().transform(e -> new MigrationFailed(null, "failed to " + (force ? "force" : "unforce")
            + " row-level security on " + table + ": " + e.getMessage(), e))
        .replaceWithVoid();
  }
}
