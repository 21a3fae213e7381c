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
   * A lone append as one plain statement, the common case at light load: no function call, no arrays of appends to
   * group. It writes only when the stream's head is where the append expects it (the head lookup is
   * temper_store_append_one's, bounded below by the expected sequence), in one statement whose snapshot is taken
   * before the INSERT gives the transaction its id, so the feed order holds as for the functions (docs/feed.md); a
   * transaction that has written already writes nothing here. The tenant is set for row-level security before the
   * lookup reads and the INSERT checks (both refer to it through the first CTE). It returns one row per event
   * written; none means the head was elsewhere, and a unique violation that a concurrent writer took a position: for
   * both {@link #ONE} is asked, and tells conflict, duplicate, tombstone or a stream that moved after the check. All
   * or nothing: a violation of any event's position aborts the whole statement.
   */
  public static final String INSERT = "WITH t AS MATERIALIZED ("
      + "SELECT set_config('app.current_tenant', $1, true) AS tenant,"
      + " pg_current_xact_id_if_assigned() IS NULL AS fresh),"
      + " h AS MATERIALIZED (SELECT t.tenant FROM t WHERE t.fresh AND $4 = coalesce((SELECT e.sequence_nr FROM events e"
      + " WHERE e.tenant = t.tenant AND e.entity_type = $2 AND e.entity_id = $3 AND e.sequence_nr >= $4"
      + " ORDER BY e.sequence_nr DESC LIMIT 1), 0))"
      + " INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
      + " SELECT h.tenant, $2, $3, $4 + ev.ord, ev.type, ev.payload::jsonb, ev.metadata::jsonb"
      + " FROM h, unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS ev(type, payload, metadata, ord)"
      + " RETURNING sequence_nr";

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

  /** Whether {@code requests} is a single append to a single stream, which {@link #INSERT} writes. */
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

  /** {@link #INSERT}'s arguments. */
  public static Tuple insertArguments(EncodedAppend append) {
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
    PersistenceId stream = append.persistenceId();
    return Tuple.of(stream.tenant(), stream.entityType(), stream.entityId(), append.expectedSequence())
        .addArrayOfString(eventTypes)
        .addArrayOfString(payloads)
        .addArrayOfString(metadata);
  }

  /** Whether {@link #INSERT} wrote {@code append}: a row for each of its events. */
  public static boolean inserted(EncodedAppend append, RowSet<Row> rows) {
    return rows.size() == append.events().size();
  }

  /** {@link #ONE}'s arguments: {@link #INSERT}'s and the event ids, by which it tells a retry from a conflict. */
  public static Tuple oneArguments(EncodedAppend append) {
    String[] eventIds = new String[append.events().size()];
    for (int i = 0; i < eventIds.length; i++) {
      eventIds[i] = append.events().get(i).eventId();
    }
    return insertArguments(append).addArrayOfString(eventIds);
  }

  /**
   * Each request's outcome, in order. Rows come back one per append, in input order: 'ok' or 'duplicate' with the
   * new highest sequence, 'conflict' with the actual one, 'skipped' for the rest of a group that conflicted. A
   * conflict at the expected sequence is a stream that moved there after the check; a request with only such
   * conflicts is {@link Outcome.Moved}, one with any other conflict fails with the first of those.
   */
  /** The head a tombstoned stream reports: the row change-stream.sql writes above every event's sequence. */
  static final long TOMBSTONED = Long.MAX_VALUE;

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
