package dev.temperstore.feed;

import dev.temperstore.testing.AppendCalls.Append;
import dev.temperstore.testing.AppendCalls;
import dev.temperstore.testing.RuntimeRoleTest;
import dev.temperstore.testing.StreamOrder;
import dev.temperstore.testing.TableLock;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each stream's events stand in the feed in sequence order, whatever the interleaving of the transactions that
 * wrote them: here the interleaving that broke it, played by three sessions of the runtime role calling the
 * store's own functions with the arguments its batcher sends, coordinated by the locks they wait on.
 */
class StreamSequenceOrderTest extends RuntimeRoleTest {

  /**
   * C holds u2:1 open; batch B (tenant u: u1 and u2 as one group; tenant t: s at 1, pipelined after s:1) waits on
   * it; A commits s:1 meanwhile; C commits. B must not write s:2 under a transaction older than A's. The function
   * goes through a batch's tenants in an order of its own (a hash's), so both namings are tried: in one of them B
   * reaches u first.
   */
  @ParameterizedTest(name = "B waits on tenant {0} before it reaches tenant {1}")
  @CsvSource({"u, t", "t, u"})
  void a_batch_that_waits_on_one_tenant_never_writes_another_tenants_stream_under_an_older_transaction(
      String u, String t) {
    SqlConnection c = runtime.getConnection().await();
    SqlConnection b = runtime.getConnection().await();
    List<String> outcomes;
    try {
      c.query("BEGIN").execute().await();
      assertThat(AppendCalls.one(c, u, "u2", 0).await()).isEqualTo("ok 1");

      Future<List<String>> batch = AppendCalls.batch(b, List.of(
          new Append(0, u, "u1", 0, 1), new Append(0, u, "u2", 0, 1), new Append(1, t, "s", 1, 1)));
      TableLock.awaitWaiters(database, role, 1);

      assertThat(AppendCalls.one(runtime, t, "s", 0).await()).isEqualTo("ok 1");
      c.query("COMMIT").execute().await();

      outcomes = batch.await();
    } finally {
      c.close().await();
      b.close().await();
    }
    assertThat(StreamOrder.outOfSequenceInTable(database)).isEmpty();
    assertThat(feed(t)).containsExactly("s:1");
    assertThat(database.admin().strings("SELECT string_agg(entity_id || ':' || sequence_nr, ' ' ORDER BY id)"
        + " FROM events")).containsExactly("u2:1 s:1");
    // u's group lost u2 to C and is taken back; s was checked before B wrote anything, when it stood at 0, so it
    // is not written: a conflict at 0, or at 1 (where the append expected it) once A's commit is seen.
    assertThat(outcomes.subList(0, 2)).containsExactly("skipped 1", "conflict 1");
    assertThat(outcomes.get(2)).isIn("conflict 0", "conflict 1");
  }

  /** The same, with B's stream written at last: a retry in a new transaction sorts after A's event. */
  @Test
  void the_retry_of_an_append_whose_stream_moved_after_its_check_stands_after_its_predecessor() {
    SqlConnection c = runtime.getConnection().await();
    SqlConnection b = runtime.getConnection().await();
    try {
      c.query("BEGIN").execute().await();
      AppendCalls.one(c, "u", "u2", 0).await();
      Future<List<String>> batch = AppendCalls.batch(b, List.of(
          new Append(0, "u", "u2", 0, 1), new Append(1, "t", "s", 1, 1)));
      TableLock.awaitWaiters(database, role, 1);
      AppendCalls.one(runtime, "t", "s", 0).await();
      c.query("COMMIT").execute().await();
      assertThat(batch.await()).first().isEqualTo("conflict 1");

      assertThat(AppendCalls.batch(b, List.of(new Append(0, "t", "s", 1, 1))).await()).containsExactly("ok 2");
    } finally {
      c.close().await();
      b.close().await();
    }
    assertThat(StreamOrder.outOfSequenceInTable(database)).isEmpty();
    assertThat(feed("t")).containsExactly("s:1", "s:2");
  }

  @Test
  void the_append_functions_refuse_a_transaction_that_has_written_already() {
    SqlConnection session = runtime.getConnection().await();
    try {
      session.query("BEGIN").execute().await();
      AppendCalls.one(session, "t", "first", 0).await();

      assertThatThrownBy(() -> AppendCalls.one(session, "t", "second", 0).await())
          .isInstanceOf(PgException.class)
          .hasMessageContaining("temper_store_append_one must run before its transaction writes anything");
      session.query("ROLLBACK").execute().await();
      session.query("BEGIN").execute().await();
      AppendCalls.one(session, "t", "first", 0).await();
      assertThatThrownBy(() -> AppendCalls.batch(session, List.of(new Append(0, "t", "second", 0, 1))).await())
          .isInstanceOf(PgException.class)
          .hasMessageContaining("temper_store_append must run before its transaction writes anything");
      session.query("ROLLBACK").execute().await();
    } finally {
      session.close().await();
    }
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  /** The tenant's feed from the start, as the store reads it, as {@code "entity:sequence"}. */
  private List<String> feed(String tenant) {
    return runtime.preparedQuery("SELECT entity_id || ':' || sequence_nr FROM temper_store_read_feed($1, 0, 0,"
            + " NULL, NULL, 100)").execute(Tuple.of(tenant)).await().stream()
        .map(row -> row.getString(0)).toList();
  }
}
