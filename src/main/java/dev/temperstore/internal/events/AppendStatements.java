package dev.temperstore.internal.events;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.StreamTombstoned;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The SQL side of group commit: which statement a batch is written by, its arguments, and what the rows it returns
 * say of each request ({@code db/functions/append-events.sql} and {@code append-one.sql} define the functions).
 * {@link AppendBatcher} decides what goes into a statement and when; this class only encodes and decodes.
 */
public final class AppendStatements {

  /** Many requests' appends in one statement (group commit): one row per append, in input order. */
  public static final String BATCH = "SELECT append_index, outcome, sequence_nr FROM temper_store_append("
      + "$1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::int[], $8::bigint[],"
      + " $9::text[], $10::text[], $11::text[], $12::text[])";

  /** A batch of one append to one stream: the same outcomes, without the batch function's grouping work. */
  public static final String ONE = "SELECT outcome, sequence_nr FROM temper_store_append_one("
      + "$1, $2, $3, $4, $5::text[], $6::text[], $7::text[], $8::text[])";

  /**
   * The events of a lone append of more than {@link #VALUES_MAX} events: as {@link #insert(EncodedAppend)}'s
   * statement, the events given as three arrays ($5 types, $6 payloads, $7 metadata) and unnested.
   */
  static final String INSERT_ARRAYS = insertSql(
      "unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS ev(type, payload, metadata, ord)");

  /**
   * The most events a lone append sends as one VALUES list, three parameters an event: in PostgreSQL the list costs
   * less than unnesting arrays (0.86× against 0.78× of a plain INSERT for one event, decision 0033),
   * and each count is a statement of its own in the connections' prepared-statement caches, so they stay few.
   */
  public static final int VALUES_MAX = 16;

  private static final String[] INSERT_VALUES = new String[VALUES_MAX + 1];

  static {
    for (int events = 1; events <= VALUES_MAX; events++) {
      StringBuilder values = new StringBuilder("(VALUES ");
      for (int i = 0; i < events; i++) {
        int p = 5 + 3 * i;
        values.append(i == 0 ? "" : ", ").append('(').append(i + 1).append(", $").append(p).append(", $")
            .append(p + 1).append(", $").append(p + 2).append(')');
      }
      INSERT_VALUES[events] = insertSql(values.append(") AS ev(ord, type, payload, metadata)").toString());
    }
  }

  /**
   * A lone append as one INSERT, the common case at light load: none of the append functions' work of grouping
   * appends. It writes only when the stream's head is where the append expects it, in one statement whose snapshot is
   * taken before the INSERT gives the transaction its id, so the feed order holds as for the functions
   * (docs/feed.md); a transaction that has written already writes nothing here. The tenant is set for row-level
   * security before the lookup reads and the INSERT checks (both refer to it through the first CTE). Its command tag
   * counts the events written, so it returns no rows (RETURNING cost up to a tenth of the statement's rate in
   * PostgreSQL, decision 0034): none written means the head was elsewhere, and a unique violation that a concurrent
   * writer took a position: for both {@link #ONE} is asked, and tells conflict, duplicate, tombstone or a stream that
   * moved after the check. All or nothing: a violation of any event's position aborts the whole statement.
   *
   * <p>The head lookup ({@code db/functions/stream-head.sql}) walks the unique index backwards from the stream's end
   * to the expected sequence, two entries, in a function whose plan cannot sort: inline, on a table without
   * statistics, the planner chose the listing index and a sort, and read the whole stream on every append.
   */
  private static String insertSql(String events) {
    return TENANT_SET_IN_A_FRESH_TRANSACTION
        + " h AS MATERIALIZED (SELECT t.tenant FROM t WHERE t.fresh"
        + " AND $4 = temper_store_stream_head(t.tenant, $2, $3, $4))"
        + INSERT_INTO_EVENTS
        + " SELECT h.tenant, $2, $3, $4 + ev.ord, ev.type, ev.payload::jsonb, ev.metadata::jsonb"
        + " FROM h, " + events;
  }

  /**
   * What the lone and shared INSERTs begin with: the tenant ($1) set for row-level security, and whether the
   * transaction has no id yet (a check made after it took one would break the feed order, docs/feed.md).
   */
  private static final String TENANT_SET_IN_A_FRESH_TRANSACTION = "WITH t AS MATERIALIZED ("
      + "SELECT set_config('app.current_tenant', $1, true) AS tenant,"
      + " pg_current_xact_id_if_assigned() IS NULL AS fresh),";

  private static final String INSERT_INTO_EVENTS =
      " INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)";

  /** The casts of the shared INSERT's first row, which type its columns (the rows after it take the same). */
  private static final String[] SHARED_TYPES =
      {"::text", "::text", "::bigint", "::bigint", "::text", "::text", "::text"};

  /**
   * The most events the shared INSERT ({@link #insertShared}) takes, seven parameters an event, each count a prepared
   * statement of its own: its SQL stays under the connections' cache limit of 2,048 characters.
   */
  public static final int SHARED_MAX = 16;

  private static final String[] INSERT_SHARED = new String[SHARED_MAX + 1];

  static {
    for (int events = 1; events <= SHARED_MAX; events++) {
      StringBuilder values = new StringBuilder();
      for (int i = 0; i < events; i++) {
        int p = 2 + 7 * i;
        values.append(i == 0 ? "(" : ", (");
        for (int column = 0; column < 7; column++) {
          values.append(column == 0 ? "$" : ", $").append(p + column).append(i == 0 ? SHARED_TYPES[column] : "");
        }
        values.append(')');
      }
      INSERT_SHARED[events] = TENANT_SET_IN_A_FRESH_TRANSACTION
          + " ev AS MATERIALIZED (SELECT * FROM (VALUES " + values + ") AS v(entity_type, entity_id, expected,"
          + " sequence_nr, event_type, payload, metadata)),"
          + " h AS MATERIALIZED (SELECT t.tenant FROM t WHERE t.fresh AND NOT EXISTS (SELECT FROM ev"
          + " WHERE ev.sequence_nr = ev.expected + 1"
          + " AND ev.expected <> temper_store_stream_head(t.tenant, ev.entity_type, ev.entity_id, ev.expected)))"
          + INSERT_INTO_EVENTS
          + " SELECT h.tenant, ev.entity_type, ev.entity_id, ev.sequence_nr, ev.event_type, ev.payload::jsonb,"
          + " ev.metadata::jsonb FROM h, ev";
    }
  }

  /** A statement and its arguments. */
  public record Statement(String sql, Tuple arguments) {
  }

  private AppendStatements() {
  }

  /** What a statement's rows say of one request (all its appends, all or nothing). */
  public sealed interface Outcome {

    /** Written, or already there from an earlier try: each append's new highest sequence. */
    record Written(long[] sequences) implements Outcome {
    }

    /** Not written: the first append whose stream was not where it expected. */
    record Conflict(StoreException conflict) implements Outcome {
    }

    /**
     * Not written, but no stream is elsewhere than expected any more: a stream reached the expected sequence only
     * after the statement had checked it (its predecessor committed meanwhile). A new statement can write it.
     */
    record Moved(ConcurrencyConflict conflict) implements Outcome {
    }
  }

  /** Whether {@code requests} is a single append to a single stream, which {@link #insert(EncodedAppend)} writes. */
  public static boolean lone(List<List<EncodedAppend>> requests) {
    return requests.size() == 1 && requests.get(0).size() == 1;
  }

  /** {@link #BATCH}'s arguments, whatever the number of requests. */
  public static Tuple batchArguments(List<List<EncodedAppend>> requests) {
    int appends = 0;
    int events = 0;
    for (List<EncodedAppend> request : requests) {
      appends += request.size();
      for (EncodedAppend append : request) {
        events += append.events().size();
      }
    }
    Integer[] groups = new Integer[appends];
    String[] tenants = new String[appends];
    String[] types = new String[appends];
    String[] ids = new String[appends];
    Long[] expected = new Long[appends];
    Integer[] counts = new Integer[appends];
    Integer[] eventAppends = new Integer[events];
    Long[] sequences = new Long[events];
    String[] eventTypes = new String[events];
    String[] payloads = new String[events];
    String[] metadata = new String[events];
    String[] eventIds = new String[events];
    int a = 0;
    int e = 0;
    for (int group = 0; group < requests.size(); group++) {
      for (EncodedAppend append : requests.get(group)) {
        PersistenceId stream = append.persistenceId();
        groups[a] = group;
        tenants[a] = stream.tenant();
        types[a] = stream.entityType();
        ids[a] = stream.entityId();
        expected[a] = append.expectedSequence();
        counts[a] = append.events().size();
        a++;
        long sequence = append.expectedSequence();
        for (EncodedAppend.Event event : append.events()) {
          eventAppends[e] = a; // 1-based, as the function's WITH ORDINALITY counts
          sequences[e] = ++sequence;
          eventTypes[e] = event.eventType();
          payloads[e] = event.payloadJson();
          metadata[e] = event.metadataJson();
          eventIds[e] = event.eventId();
          e++;
        }
      }
    }
    return Tuple.of(groups, tenants, types, ids, expected, counts, eventAppends, sequences)
        .addArrayOfString(eventTypes)
        .addArrayOfString(payloads)
        .addArrayOfString(metadata)
        .addArrayOfString(eventIds);
  }

  /** {@code append} by the plain INSERT (see {@link #insertSql}): its events as a VALUES list when they are few. */
  public static Statement insert(EncodedAppend append) {
    return append.events().size() <= VALUES_MAX ? insertByValues(append) : insertByArrays(append);
  }

  /** As {@link #insert(EncodedAppend)}, the events as one VALUES list; at most {@link #VALUES_MAX} of them. */
  public static Statement insertByValues(EncodedAppend append) {
    int count = append.events().size();
    if (count < 1 || count > VALUES_MAX) {
      throw new IllegalArgumentException(count + " events: a VALUES list takes 1 to " + VALUES_MAX);
    }
    Tuple arguments = streamArguments(append);
    for (EncodedAppend.Event event : append.events()) {
      arguments.addString(event.eventType()).addString(event.payloadJson()).addString(event.metadataJson());
    }
    return new Statement(INSERT_VALUES[count], arguments);
  }

  /** As {@link #insert(EncodedAppend)}, the events as arrays, however many. */
  public static Statement insertByArrays(EncodedAppend append) {
    return new Statement(INSERT_ARRAYS, arrayArguments(append));
  }

  private static Tuple streamArguments(EncodedAppend append) {
    PersistenceId stream = append.persistenceId();
    return Tuple.of(stream.tenant(), stream.entityType(), stream.entityId(), append.expectedSequence());
  }

  /** The stream, the expected sequence and three arrays: event types, payloads, metadata. */
  private static Tuple arrayArguments(EncodedAppend append) {
    int count = append.events().size();
    String[] eventTypes = new String[count];
    String[] payloads = new String[count];
    String[] metadata = new String[count];
    for (int i = 0; i < count; i++) {
      EncodedAppend.Event event = append.events().get(i);
      eventTypes[i] = event.eventType();
      payloads[i] = event.payloadJson();
      metadata[i] = event.metadataJson();
    }
    return streamArguments(append).addArrayOfString(eventTypes).addArrayOfString(payloads)
        .addArrayOfString(metadata);
  }

  /**
   * Whether {@code requests}, more than one append, may go as {@link #insertShared}: all to one tenant, whose
   * setting row-level security reads, at most {@link #SHARED_MAX} events, and none without events (its stream would
   * go unchecked: it has no first event to check by).
   */
  public static boolean sharable(List<List<EncodedAppend>> requests) {
    String tenant = requests.get(0).get(0).persistenceId().tenant();
    int events = 0;
    for (List<EncodedAppend> request : requests) {
      for (EncodedAppend append : request) {
        events += append.events().size();
        if (append.events().isEmpty() || events > SHARED_MAX || !append.persistenceId().tenant().equals(tenant)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Several appends of one tenant as one INSERT, what group commit sends under moderate load: as the lone INSERT
   * ({@link #insertSql}), and all or nothing across them. It writes every event only when every stream's head is where
   * its append expects it (the first event of each append is checked), else nothing; a unique violation aborts it
   * whole. Either way {@link #BATCH} is then asked, and decides each request on its own as it would have at first.
   * The rows go in the order given, which the batcher sorts by stream, so concurrent statements take their locks in
   * one order. One row an event: stream, expected sequence, the event's sequence, type, payload and metadata.
   */
  public static Statement insertShared(List<List<EncodedAppend>> requests) {
    Tuple arguments = Tuple.of(requests.get(0).get(0).persistenceId().tenant());
    int events = 0;
    for (List<EncodedAppend> request : requests) {
      for (EncodedAppend append : request) {
        PersistenceId stream = append.persistenceId();
        long sequence = append.expectedSequence();
        for (EncodedAppend.Event event : append.events()) {
          arguments.addString(stream.entityType()).addString(stream.entityId()).addLong(append.expectedSequence())
              .addLong(++sequence).addString(event.eventType()).addString(event.payloadJson())
              .addString(event.metadataJson());
          events++;
        }
      }
    }
    if (events > SHARED_MAX) {
      throw new IllegalArgumentException(events + " events: the shared INSERT takes at most " + SHARED_MAX);
    }
    return new Statement(INSERT_SHARED[events], arguments);
  }

  /**
   * Whether {@link #insert(EncodedAppend)} or {@link #insertShared} wrote {@code requests}: its command tag counts
   * every event, or none.
   */
  public static boolean insertedAll(List<List<EncodedAppend>> requests, RowSet<Row> rows) {
    int events = 0;
    for (List<EncodedAppend> request : requests) {
      for (EncodedAppend append : request) {
        events += append.events().size();
      }
    }
    return rows.rowCount() == events;
  }

  /** Each request written where it expected: each append's new highest sequence. */
  public static List<Outcome> written(List<List<EncodedAppend>> requests) {
    List<Outcome> outcomes = new ArrayList<>(requests.size());
    for (List<EncodedAppend> request : requests) {
      long[] sequences = new long[request.size()];
      for (int i = 0; i < sequences.length; i++) {
        sequences[i] = request.get(i).expectedSequence() + request.get(i).events().size();
      }
      outcomes.add(new Outcome.Written(sequences));
    }
    return outcomes;
  }

  /**
   * {@link #ONE}'s arguments: the stream, the events as arrays, and the event ids, by which it tells a retry from a
   * conflict.
   */
  public static Tuple oneArguments(EncodedAppend append) {
    String[] eventIds = new String[append.events().size()];
    for (int i = 0; i < eventIds.length; i++) {
      eventIds[i] = append.events().get(i).eventId();
    }
    return arrayArguments(append).addArrayOfString(eventIds);
  }

  /** The head a tombstoned stream reports: the row change-stream.sql writes above every event's sequence. */
  static final long TOMBSTONED = Long.MAX_VALUE;

  /**
   * Each request's outcome, in order. Rows come back one per append, in input order: 'ok' or 'duplicate' with the
   * new highest sequence, 'conflict' with the actual one, 'skipped' for the rest of a group that conflicted. A
   * conflict at the expected sequence is a stream that moved there after the check; a request with only such
   * conflicts is {@link Outcome.Moved}, one with any other conflict fails with the first of those.
   */
  public static List<Outcome> outcomes(List<List<EncodedAppend>> requests, RowSet<Row> rows) {
    List<Outcome> outcomes = new ArrayList<>(requests.size());
    Iterator<Row> iterator = rows.iterator();
    for (List<EncodedAppend> request : requests) {
      long[] sequences = new long[request.size()];
      StoreException failure = null;
      ConcurrencyConflict moved = null;
      for (int i = 0; i < sequences.length; i++) {
        Row row = iterator.next();
        String outcome = row.getString("outcome");
        EncodedAppend append = request.get(i);
        if (outcome.equals("conflict")) {
          long actual = row.getLong("sequence_nr");
          ConcurrencyConflict conflict =
              new ConcurrencyConflict(append.persistenceId().toString(), append.expectedSequence(), actual);
          if (actual == TOMBSTONED) {
            failure = failure == null ? new StreamTombstoned(append.persistenceId().toString()) : failure;
          } else if (actual != append.expectedSequence()) {
            failure = failure == null ? conflict : failure;
          } else {
            moved = moved == null ? conflict : moved;
          }
        } else if (outcome.equals("ok") || outcome.equals("duplicate")) {
          sequences[i] = row.getLong("sequence_nr");
        }
      }
      outcomes.add(failure != null ? new Outcome.Conflict(failure)
          : moved != null ? new Outcome.Moved(moved) : new Outcome.Written(sequences));
    }
    return outcomes;
  }
}
