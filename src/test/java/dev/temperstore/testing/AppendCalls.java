package dev.temperstore.testing;

import dev.temperstore.events.EventMetadata;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Calls of the store's own append functions with the arguments its batcher sends, for tests that play a store
 * instance by SQL: {@code temper_store_append} for a batch, {@code temper_store_append_one} for a lone append.
 * Each event's payload is {@code {"n": <sequence>}} and its metadata carries a fresh event id.
 */
public final class AppendCalls {

  private static final String BATCH = "SELECT append_index, outcome, sequence_nr FROM temper_store_append("
      + "$1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::int[], $8::bigint[],"
      + " $9::text[], $10::text[], $11::text[], $12::text[])";
  private static final String ONE = "SELECT outcome, sequence_nr FROM temper_store_append_one("
      + "$1, $2, $3, $4, $5::text[], $6::text[], $7::text[], $8::text[])";

  private AppendCalls() {
  }

  /** One append of a batch: {@code count} events to {@code tenant:Order:entityId} after {@code expected}. */
  public record Append(int group, String tenant, String entityId, long expected, int count) {
  }

  /** One row of a call's result, as {@code "outcome sequence"}, e.g. {@code "ok 2"} or {@code "conflict 1"}. */
  public static Future<List<String>> batch(SqlClient client, List<Append> appends) {
    List<Integer> groups = new ArrayList<>();
    List<String> tenants = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    List<Integer> eventAppends = new ArrayList<>();
    List<Long> sequences = new ArrayList<>();
    List<String> eventTypes = new ArrayList<>();
    List<String> payloads = new ArrayList<>();
    List<String> metadata = new ArrayList<>();
    List<String> eventIds = new ArrayList<>();
    for (int a = 0; a < appends.size(); a++) {
      Append append = appends.get(a);
      groups.add(append.group());
      tenants.add(append.tenant());
      types.add("Order");
      ids.add(append.entityId());
      expected.add(append.expected());
      counts.add(append.count());
      for (long sequence = append.expected() + 1; sequence <= append.expected() + append.count(); sequence++) {
        UUID eventId = UUID.randomUUID();
        eventAppends.add(a + 1);
        sequences.add(sequence);
        eventTypes.add("E");
        payloads.add("{\"n\": " + sequence + "}");
        metadata.add(EventMetadata.root(eventId, "tester").toStorageJson());
        eventIds.add(eventId.toString());
      }
    }
    Tuple arguments = Tuple.of(groups.toArray(Integer[]::new), tenants.toArray(String[]::new),
            types.toArray(String[]::new), ids.toArray(String[]::new), expected.toArray(Long[]::new),
            counts.toArray(Integer[]::new), eventAppends.toArray(Integer[]::new), sequences.toArray(Long[]::new))
        .addArrayOfString(eventTypes.toArray(String[]::new))
        .addArrayOfString(payloads.toArray(String[]::new))
        .addArrayOfString(metadata.toArray(String[]::new))
        .addArrayOfString(eventIds.toArray(String[]::new));
    return client.preparedQuery(BATCH).execute(arguments).map(rows -> {
      List<String> outcomes = new ArrayList<>();
      for (Row row : rows) {
        outcomes.add(row.getString("outcome") + " " + row.getLong("sequence_nr"));
      }
      return outcomes;
    });
  }

  /** A lone append of one event, as {@code "outcome sequence"}. */
  public static Future<String> one(SqlClient client, String tenant, String entityId, long expected) {
    UUID eventId = UUID.randomUUID();
    Tuple arguments = Tuple.of(tenant, "Order", entityId, expected)
        .addArrayOfString(new String[] {"E"})
        .addArrayOfString(new String[] {"{\"n\": " + (expected + 1) + "}"})
        .addArrayOfString(new String[] {EventMetadata.root(eventId, "tester").toStorageJson()})
        .addArrayOfString(new String[] {eventId.toString()});
    return client.preparedQuery(ONE).execute(arguments)
        .map(rows -> {
          Row row = rows.iterator().next();
          return row.getString("outcome") + " " + row.getLong("sequence_nr");
        });
  }
}
