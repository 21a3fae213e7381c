package dev.temperstore.testing;

import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Calls of the store's own append functions with the arguments its batcher sends ({@link AppendStatements}), for
 * tests that play a store instance by SQL: {@code temper_store_append} for a batch, {@code temper_store_append_one}
 * for a lone append. Each event's payload is {@code {"n": <sequence>}} and its metadata carries a fresh event id.
 */
public final class AppendCalls {

  private AppendCalls() {
  }

  /** One append of a batch: {@code count} events to {@code tenant:Order:entityId} after {@code expected}. */
  public record Append(int group, String tenant, String entityId, long expected, int count) {

    EncodedAppend encoded() {
      List<NewEvent> events = new ArrayList<>();
      for (long sequence = expected + 1; sequence <= expected + count; sequence++) {
        events.add(new NewEvent("E", new JsonObject().put("n", sequence),
            EventMetadata.root(UUID.randomUUID(), "tester")));
      }
      return EncodedAppend.of(new AppendRequest(new PersistenceId(tenant, "Order", entityId), expected, events),
          Integer.MAX_VALUE);
    }
  }

  /**
   * A batch, appends of one group (consecutive, as the batcher sends a request's) all or nothing; one row of the
   * result per append, as {@code "outcome sequence"}, e.g. {@code "ok 2"} or {@code "conflict 1"}.
   */
  public static Future<List<String>> batch(SqlClient client, List<Append> appends) {
    List<List<EncodedAppend>> requests = new ArrayList<>();
    for (int i = 0; i < appends.size(); i++) {
      if (i == 0 || appends.get(i).group() != appends.get(i - 1).group()) {
        requests.add(new ArrayList<>());
      }
      requests.get(requests.size() - 1).add(appends.get(i).encoded());
    }
    return client.preparedQuery(AppendStatements.BATCH).execute(AppendStatements.batchArguments(requests))
        .map(rows -> {
          List<String> outcomes = new ArrayList<>();
          for (Row row : rows) {
            outcomes.add(row.getString("outcome") + " " + row.getLong("sequence_nr"));
          }
          return outcomes;
        });
  }

  /** A lone append of one event, as {@code "outcome sequence"}. */
  public static Future<String> one(SqlClient client, String tenant, String entityId, long expected) {
    EncodedAppend append = new Append(0, tenant, entityId, expected, 1).encoded();
    return client.preparedQuery(AppendStatements.ONE).execute(AppendStatements.oneArguments(append))
        .map(rows -> {
          Row row = rows.iterator().next();
          return row.getString("outcome") + " " + row.getLong("sequence_nr");
        });
  }
}
