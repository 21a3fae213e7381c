package dev.temperstore.testing;

import dev.temperstore.migration.MigrationStep;
import dev.temperstore.migration.TemperSchema;

import java.util.List;

/**
 * Databases as Temper's own runner left them: no ledger of ours, every statement run on its own, as the
 * database's owner (Temper's {@code temper} role). The DDL is Temper's (ours is the same SQL); what differs is
 * which statements ran.
 */
public final class TemperDatabases {

  private TemperDatabases() {
  }

  /**
   * Temper's issue-time runner (#148): every table but {@code tenant_secrets}, their indexes, RLS and policies on
   * the eight tables that exist, then the failure on {@code tenant_secrets}.
   */
  public static void leaveHalfWayAsIn148(Sql sql) {
    for (MigrationStep step : TemperSchema.steps()) {
      boolean secretsTable = step.label().equals("tenant_secrets table");
      boolean later = step.label().endsWith(" migration");
      boolean secretsRls = step.label().equals("tenant RLS on tenant_secrets");
      if (!secretsTable && !later && !secretsRls) {
        sql.execute(step.sql());
      }
    }
  }

  /** Temper's runner after the fix: all nine tables, secured, and no ledger. */
  public static void leaveComplete(Sql sql) {
    TemperSchema.steps().forEach(step -> sql.execute(step.sql()));
  }

  /** A few events of two tenants, written as Temper wrote them. */
  public static void writeEvents(Sql sql, int count) {
    for (int i = 1; i <= count; i++) {
      sql.rows("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
              + " VALUES ($1, 'Order', 'o-1', $2, 'Placed', $3::jsonb, '{}'::jsonb)",
          i % 2 == 0 ? "alpha" : "beta", (long) i, "{\"n\":" + i + "}");
    }
  }

  public static List<String> eventPayloads(Sql sql) {
    return sql.strings("SELECT payload::text FROM events ORDER BY sequence_nr");
  }
}
