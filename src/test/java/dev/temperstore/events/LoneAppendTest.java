package dev.temperstore.events;

import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.testing.RuntimeRoleTest;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.TableLock;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lone append's path: the plain INSERT writes exactly where the functions would write and nothing anywhere else
 * (what it leaves, {@code temper_store_append_one} decides); that function decides every case as
 * {@code temper_store_append} does for a batch of one; neither is ever partly written when it loses a race. Called as
 * a runtime role under row-level security (NOBYPASSRLS, not the owner), as the store calls them.
 */
class LoneAppendTest extends RuntimeRoleTest {

  private static final String ONE = "SELECT outcome, sequence_nr FROM temper_store_append_one($1, 'Order', $2, $3,"
      + " $4::text[], $5::text[], $6::text[], $4::text[])";
  private static final String BATCH = "SELECT outcome, sequence_nr FROM temper_store_append('{0}', ARRAY[$1::text],"
      + " '{Order}', ARRAY[$2::text], ARRAY[$3::bigint], ARRAY[cardinality($4::text[])],"
      + " array_fill(1, ARRAY[cardinality($4::text[])]), ARRAY(SELECT $3::bigint + g FROM generate_series(1,"
      + " cardinality($4::text[])) g), $4::text[], $5::text[], $6::text[], $4::text[])";

  @Test
  void every_outcome_of_the_lone_function_matches_the_batch_function_for_one_append() {
    List<String> lone = script(ONE, "one");
    List<String> batch = script(BATCH, "batch");

    assertThat(lone).containsExactlyElementsOf(batch).containsExactly(
        "ok 2", "duplicate 2", "conflict 2", "conflict 2", "ok 5", "duplicate 2", "conflict 5", "conflict 0");
    for (String stream : List.of("one", "batch")) {
      assertThat(database.admin().strings("SELECT string_agg(sequence_nr || '=' || (metadata ->> 'event_id'), ' '"
          + " ORDER BY sequence_nr) FROM events WHERE tenant = 'acme' AND entity_id = $1", stream))
          .containsExactly("1=a 2=b 3=d 4=e 5=f");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant <> 'acme'")).isZero();
  }

  @Test
  void the_plain_insert_writes_only_what_the_functions_would_write_and_nothing_else() {
    for (Form form : Form.values()) {
      String stream = "plain-" + form;
      List<String> plain = new ArrayList<>();
      plain.add(insert(form, "acme", stream, 0, "a", "b"));
      plain.add(insert(form, "acme", stream, 0, "a", "b"));
      plain.add(insert(form, "acme", stream, 0, "c"));
      plain.add(insert(form, "acme", stream, 5, "d"));
      plain.add(insert(form, "acme", stream, 2, "d", "e", "f"));
      plain.add(insert(form, "acme", stream, 1, "b"));
      plain.add(insert(form, "acme", stream, 4, "x", "y"));
      plain.add(insert(form, "beta", stream, 3, "z"));
      plain.add(insert(form, "beta", stream, 0, "z"));     // the same name in another tenant is another stream

      assertThat(plain).as("%s", form).containsExactly("wrote 2", "nothing", "nothing", "nothing", "wrote 5",
          "nothing", "nothing", "nothing", "wrote 1");
      assertThat(database.admin().strings("SELECT string_agg(tenant || ':' || sequence_nr || '=' || (metadata ->>"
          + " 'event_id') || ':' || event_type || ':' || (payload ->> 'n'), ' ' ORDER BY tenant, sequence_nr)"
          + " FROM events WHERE entity_id = $1", stream)).as("%s", form)
          .containsExactly("acme:1=a:a:0 acme:2=b:b:1 acme:3=d:d:0 acme:4=e:e:1 acme:5=f:f:2 beta:1=z:z:0");
    }
  }

  @Test
  void the_plain_insert_reads_a_few_pages_of_a_long_stream_on_a_table_never_analyzed() {
    database.admin().strings("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
        + " metadata) SELECT 'acme', 'Order', 'long', n, 'x', '{}', '{}' FROM generate_series(1, 50000) n");
    assertThat(database.admin().count("SELECT count(*) FROM pg_stats WHERE tablename = 'events'"))
        .as("the table has no statistics yet").isZero();
    Pool owner = database.asSuperuser().pool(vertx, 1); // a store may serve as the tables' owner: no row security
    try {
      long head = 50000;
      for (Pool pool : List.of(runtime, owner)) {
        for (Form form : Form.values()) {
          long pages = pagesRead(pool, form, head);

          // 14 (runtime role, VALUES, 2026-12-07); through the listing index and a sort, the stream's 50,000: 620.
          assertThat(pages).as("%s", form).isLessThan(100);
          head++; // the warm-up append stays, the measured one is rolled back
        }
      }
    } finally {
      owner.close().await();
    }
  }

  /**
   * The shared buffers one lone append to "long" at {@code head} touches, once the statement is planned as the
   * store's connections plan it (a plan kept and reused) and the session warm: the append is rolled back.
   */
  private static long pagesRead(Pool pool, Form form, long head) {
    AppendStatements.Statement insert = form.statement(append("acme", "long", head, "warm-" + form + head));
    SqlConnection connection = pool.getConnection().await();
    try {
      connection.query("SET plan_cache_mode = force_generic_plan").execute().await();
      connection.query("PREPARE lone AS " + insert.sql()).execute().await();
      assertThat(connection.query("EXECUTE lone(" + literals(insert) + ")").execute().await().rowCount())
          .isEqualTo(1);
      AppendStatements.Statement measured = form.statement(append("acme", "long", head + 1, "measured"));
      connection.query("BEGIN").execute().await();
      JsonArray plan = connection.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE lone(" + literals(measured)
          + ")").execute().await().iterator().next().getJsonArray(0);
      connection.query("ROLLBACK").execute().await();
      JsonObject top = plan.getJsonObject(0).getJsonObject("Plan");
      assertThat(rowsInserted(top)).as("written").isEqualTo(1);
      return top.getLong("Shared Hit Blocks") + top.getLong("Shared Read Blocks");
    } finally {
      connection.query("DEALLOCATE lone").execute().await(); // the connection goes back to the pool
      connection.query("RESET plan_cache_mode").execute().await();
      connection.close().await();
    }
  }

  /** The rows the INSERT's plan node took from its source: it returns none, its command tag counts them. */
  private static long rowsInserted(JsonObject insert) {
    assertThat(insert.getString("Operation")).isEqualTo("Insert");
    return insert.getJsonArray("Plans").stream().map(JsonObject.class::cast)
        .filter(child -> "Outer".equals(child.getString("Parent Relationship")))
        .mapToLong(child -> child.getLong("Actual Rows")).sum();
  }

  private static String literals(AppendStatements.Statement statement) {
    List<String> arguments = new ArrayList<>();
    for (int i = 0; i < statement.arguments().size(); i++) {
      Object value = statement.arguments().getValue(i);
      arguments.add(value instanceof String[] array
          ? "ARRAY[" + String.join(", ", Arrays.stream(array).map(LoneAppendTest::literal).toList()) + "]::text[]"
          : value instanceof String text ? literal(text) : value.toString());
    }
    return String.join(", ", arguments);
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  @Test
  void the_plain_insert_writes_nothing_to_a_tombstoned_stream_nor_in_a_transaction_that_has_written()
      throws Exception {
    insert("acme", "gone", 0, "a");
    database.admin().strings("SELECT outcome FROM temper_store_change_stream('acme', 'Order', 'gone', 'tombstone',"
        + " NULL, NULL, 'test')");
    // The tombstone's row at the highest sequence is the head either expectation finds (it also holds the position
    // after the old head).
    assertThat(insert("acme", "gone", 1, "b")).isEqualTo("nothing");
    assertThat(insert("acme", "gone", 2, "b")).isEqualTo("nothing");
    assertThat(call(ONE, "acme", "gone", 1, "b")).isEqualTo("conflict " + Long.MAX_VALUE);

    AppendStatements.Statement late = AppendStatements.insert(append("acme", "late", 0, "a"));
    assertThat(AfterAWrite.eventsWritten(runtime, late)).as("its head check would come after its transaction id")
        .isZero();
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE entity_id = 'late'")).isZero();
    assertThat(database.admin().strings("SELECT string_agg(sequence_nr::text, ' ' ORDER BY sequence_nr) FROM events"
        + " WHERE entity_id = 'gone'")).containsExactly("1 2 " + Long.MAX_VALUE);
  }

  @Test
  void a_plain_insert_that_loses_a_position_to_a_concurrent_writer_writes_none_of_its_events() throws Exception {
    for (Form form : Form.values()) {
      String stream = "o-3-" + form;
      SqlConnection first = runtime.getConnection().await();
      SqlConnection second = runtime.getConnection().await();
      try {
        first.query("BEGIN").execute().await();
        AppendStatements.Statement one = form.statement(append("acme", stream, 0, "a"));
        assertThat(first.preparedQuery(one.sql()).execute(one.arguments()).await().rowCount()).isEqualTo(1);
        AppendStatements.Statement two = form.statement(append("acme", stream, 0, "p", "q"));
        Future<Integer> racing = second.preparedQuery(two.sql()).execute(two.arguments()).map(RowSet::rowCount);
        TableLock.awaitWaiters(database, role, 1);
        first.query("COMMIT").execute().await();

        Throwable failure = racing.toCompletionStage().toCompletableFuture().handle((ok, error) -> error)
            .get(30, TimeUnit.SECONDS);
        assertThat(failure).as("%s: the racing INSERT", form).isNotNull();
        assertThat(SqlErrors.isUniqueViolation(failure.getCause() == null ? failure : failure.getCause()))
            .as("%s: %s", form, failure).isTrue();
        assertThat(database.admin().strings("SELECT string_agg(sequence_nr || '=' || (metadata ->> 'event_id'),"
            + " ' ' ORDER BY sequence_nr) FROM events WHERE entity_id = '" + stream + "'")).as("%s", form)
            .containsExactly("1=a");
      } finally {
        first.close().await();
        second.close().await();
      }
    }
  }

  /**
   * The plain INSERT's forms: the events as one VALUES list (few events), or as arrays (any number); and the shared
   * INSERT of a batch (SharedAppendTest), here of this one append, which must keep every rule of the lone one.
   */
  private enum Form {
    VALUES, ARRAYS, SHARED;

    AppendStatements.Statement statement(EncodedAppend append) {
      return switch (this) {
        case VALUES -> AppendStatements.insertByValues(append);
        case ARRAYS -> AppendStatements.insertByArrays(append);
        case SHARED -> AppendStatements.insertShared(List.of(List.of(append)));
      };
    }
  }

  /** One append by the store's plain INSERT: "wrote N", "nothing" or "position taken" (a unique violation). */
  private String insert(String tenant, String stream, long expected, String... eventIds) {
    return run(AppendStatements.insert(append(tenant, stream, expected, eventIds)), expected);
  }

  private String insert(Form form, String tenant, String stream, long expected, String... eventIds) {
    return run(form.statement(append(tenant, stream, expected, eventIds)), expected);
  }

  private String run(AppendStatements.Statement insert, long expected) {
    try {
      RowSet<Row> reply = runtime.preparedQuery(insert.sql()).execute(insert.arguments()).await();
      assertThat(reply.size()).as("rows sent back: the command tag counts the events written").isZero();
      int rows = reply.rowCount();
      return rows == 0 ? "nothing" : "wrote " + (expected + rows);
    } catch (RuntimeException e) {
      if (SqlErrors.isUniqueViolation(e) || SqlErrors.isUniqueViolation(e.getCause())) {
        return "position taken";
      }
      throw e;
    }
  }

  /** As {@link #arguments}: event ids double as event types, and the payload numbers the event in its append. */
  static EncodedAppend append(String tenant, String stream, long expected, String... eventIds) {
    List<EncodedAppend.Event> events = new ArrayList<>();
    for (int i = 0; i < eventIds.length; i++) {
      events.add(new EncodedAppend.Event(eventIds[i], "{\"n\": " + i + "}",
          "{\"event_id\": \"" + eventIds[i] + "\"}", eventIds[i]));
    }
    return new EncodedAppend(new PersistenceId(tenant, "Order", stream), expected, events);
  }

  /** The same appends, in order, through one of the functions; each outcome as "outcome sequence". */
  private List<String> script(String statement, String stream) {
    List<String> outcomes = new ArrayList<>();
    outcomes.add(call(statement, "acme", stream, 0, "a", "b"));   // a new stream
    outcomes.add(call(statement, "acme", stream, 0, "a", "b"));   // the very same retry
    outcomes.add(call(statement, "acme", stream, 0, "c"));        // a stale expected sequence
    outcomes.add(call(statement, "acme", stream, 5, "d"));        // ahead of the stream: no gap is left
    outcomes.add(call(statement, "acme", stream, 2, "d", "e", "f"));
    outcomes.add(call(statement, "acme", stream, 1, "b"));        // an older retry that still holds its place
    outcomes.add(call(statement, "acme", stream, 4, "x", "y"));   // one position taken, one free: nothing written
    outcomes.add(call(statement, "beta", stream, 3, "z"));        // another tenant's stream of the same name
    return outcomes;
  }

  @Test
  void an_append_that_loses_part_of_its_positions_to_a_concurrent_writer_writes_none_and_reports_the_conflict()
      throws Exception {
    SqlConnection first = runtime.getConnection().await();
    SqlConnection second = runtime.getConnection().await();
    try {
      first.query("BEGIN").execute().await();
      assertThat(outcome(first.preparedQuery(ONE).execute(arguments("acme", "o-1", 0, "a")).await()))
          .isEqualTo("ok 1");
      // The second sees the stream empty, writes position 2, then waits on position 1 for the first's commit.
      Future<String> racing = second.preparedQuery(ONE).execute(arguments("acme", "o-1", 0, "p", "q"))
          .map(LoneAppendTest::outcome);
      TableLock.awaitWaiters(database, role, 1);
      assertThat(racing.isComplete()).as("the second waits for the first on position 1").isFalse();
      first.query("COMMIT").execute().await();

      assertThat(racing.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo("conflict 1");
      assertThat(database.admin().strings("SELECT string_agg(sequence_nr || '=' || (metadata ->> 'event_id'), ' '"
          + " ORDER BY sequence_nr) FROM events WHERE entity_id = 'o-1'")).containsExactly("1=a");
    } finally {
      first.close().await();
      second.close().await();
    }
  }

  @Test
  void a_retry_racing_its_own_first_attempt_is_a_duplicate_not_a_conflict() throws Exception {
    SqlConnection first = runtime.getConnection().await();
    SqlConnection second = runtime.getConnection().await();
    try {
      first.query("BEGIN").execute().await();
      first.preparedQuery(ONE).execute(arguments("acme", "o-2", 0, "a")).await();
      Future<String> retry = second.preparedQuery(ONE).execute(arguments("acme", "o-2", 0, "a"))
          .map(LoneAppendTest::outcome);
      TableLock.awaitWaiters(database, role, 1); // the retry waits on the first attempt's row
      first.query("COMMIT").execute().await();

      assertThat(retry.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo("duplicate 1");
      assertThat(database.admin().count("SELECT count(*) FROM events WHERE entity_id = 'o-2'")).isEqualTo(1);
    } finally {
      first.close().await();
      second.close().await();
    }
  }

  private String call(String statement, String tenant, String stream, long expected, String... eventIds) {
    return outcome(runtime.preparedQuery(statement).execute(arguments(tenant, stream, expected, eventIds)).await());
  }

  /** Event ids double as event types; payload and metadata carry the id so the stored rows can be told apart. */
  private static Tuple arguments(String tenant, String stream, long expected, String... eventIds) {
    String[] payloads = new String[eventIds.length];
    String[] metadata = new String[eventIds.length];
    for (int i = 0; i < eventIds.length; i++) {
      payloads[i] = "{\"n\": " + i + "}";
      metadata[i] = "{\"event_id\": \"" + eventIds[i] + "\"}";
    }
    return Tuple.of(tenant, stream, expected).addArrayOfString(eventIds).addArrayOfString(payloads)
        .addArrayOfString(metadata);
  }

  private static String outcome(io.vertx.sqlclient.RowSet<Row> rows) {
    Row row = rows.iterator().next();
    return row.getString("outcome") + " " + row.getLong("sequence_nr");
  }
}
