package dev.temperstore.events;

import dev.temperstore.internal.events.AppendStatements;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

/**
 * A store statement run inside a transaction that has already written (an event of acme's Order "other"), as an
 * application calling it by hand inside a larger transaction would: its head check would come after the
 * transaction's id, so it must write nothing (docs/feed.md). The transaction commits.
 */
final class AfterAWrite {

  private AfterAWrite() {
  }

  /** The events {@code statement} wrote, as {@code runtime}'s role, after the transaction's own write. */
  static int eventsWritten(Pool runtime, AppendStatements.Statement statement) {
    SqlConnection connection = runtime.getConnection().await();
    try {
      connection.query("BEGIN").execute().await();
      connection.query("SELECT set_config('app.current_tenant', 'acme', true)").execute().await();
      connection.query("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
          + " metadata) VALUES ('acme', 'Order', 'other', 1, 'x', '{}', '{}')").execute().await();
      int written = connection.preparedQuery(statement.sql()).execute(statement.arguments()).await().rowCount();
      connection.query("COMMIT").execute().await();
      return written;
    } finally {
      connection.close().await();
    }
  }
}
