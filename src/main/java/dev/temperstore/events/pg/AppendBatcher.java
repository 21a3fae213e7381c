package dev.temperstore.events.pg;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.NewEvent;
import dev.temperstore.postgres.SqlErrors;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Group commit: appends that arrive while earlier ones are in the database are written together, in one
 * statement and one commit, each still atomic and checked on its own by {@code temper_store_append}.
 *
 * <p>Under light load an append goes out at once, alone; under load, appends queue while up to
 * {@code maxConcurrentBatches} batches are in flight, and each finished batch takes everything queued (up to
 * {@code maxAppendsPerBatch}). Single appends in a batch are sorted by stream, and multi-stream requests go
 * alone and sorted, so concurrent batches take row locks in one global order and cannot deadlock each other.
 * All state is confined to one event-loop context.
 */
final class AppendBatcher {

  private static final Logger LOG = LoggerFactory.getLogger(AppendBatcher.class);

  private static final String APPEND = "SELECT append_index, outcome, sequence_nr FROM temper_store_append("
      + "$1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::text[], $8::text[],"
      + " $9::text[], $10::text[])";

  private static final Comparator<Pending> BY_STREAM = Comparator
      .comparing((Pending p) -> p.appends.get(0).persistenceId().tenant())
      .thenComparing(p -> p.appends.get(0).persistenceId().entityType())
      .thenComparing(p -> p.appends.get(0).persistenceId().entityId());

  private final Pool pool;
  private final Context context;
  private final int maxConcurrentBatches;
  private final int maxAppendsPerBatch;
  private final int maxQueued;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;

  AppendBatcher(Pool pool, Context context, int maxConcurrentBatches, int maxAppendsPerBatch, int maxQueued) {
    this.pool = pool;
    this.context = context;
    this.maxConcurrentBatches = maxConcurrentBatches;
    this.maxAppendsPerBatch = maxAppendsPerBatch;
    this.maxQueued = maxQueued;
  }

  /**
   * Writes {@code appends} all or nothing, and emits each stream's new highest sequence in the same order.
   * {@code alone} keeps a multi-stream request out of shared batches.
   */
  Uni<long[]> submit(List<AppendRequest> appends, boolean alone) {
    return Uni.createFrom().<long[]>emitter(emitter -> onContext(() -> enqueue(new Pending(appends, alone, emitter))));
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }

  private void enqueue(Pending pending) {
    if (queue.size() >= maxQueued) {
      pending.emitter.fail(new Unavailable("overloaded: " + queue.size() + " appends already queued"));
      return;
    }
    queue.add(pending);
    flush();
  }

  private void flush() {
    while (inFlight < maxConcurrentBatches && !queue.isEmpty()) {
      List<Pending> batch = nextBatch();
      inFlight++;
      write(batch, true);
    }
  }

  private List<Pending> nextBatch() {
    List<Pending> batch = new ArrayList<>();
    if (queue.peek().alone) {
      batch.add(queue.poll());
      return batch;
    }
    while (!queue.isEmpty() && !queue.peek().alone && batch.size() < maxAppendsPerBatch) {
      batch.add(queue.poll());
    }
    batch.sort(BY_STREAM); // stable: appends to one stream keep their arrival order
    return batch;
  }

  private void write(List<Pending> batch, boolean mayRetry) {
    pool.preparedQuery(APPEND).execute(arguments(batch)).onComplete(result -> {
      if (result.succeeded()) {
        inFlight--;
        complete(batch, result.result());
      } else if (mayRetry && SqlErrors.isTransient(result.cause())) {
        LOG.debug("append batch of {} rolled back ({}); retrying once", batch.size(), result.cause().getMessage());
        write(batch, false);
        return;
      } else {
        inFlight--;
        for (Pending pending : batch) {
          pending.emitter.fail(SqlErrors.toStoreException("append to " + pending.describe(), result.cause()));
        }
      }
      flush();
    });
  }

  private static Tuple arguments(List<Pending> batch) {
    List<Integer> groups = new ArrayList<>();
    List<String> tenants = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    List<String> eventTypes = new ArrayList<>();
    List<String> payloads = new ArrayList<>();
    List<String> metadata = new ArrayList<>();
    List<String> eventIds = new ArrayList<>();
    for (int group = 0; group < batch.size(); group++) {
      for (AppendRequest append : batch.get(group).appends) {
        groups.add(group);
        tenants.add(append.persistenceId().tenant());
        types.add(append.persistenceId().entityType());
        ids.add(append.persistenceId().entityId());
        expected.add(append.expectedSequence());
        counts.add(append.events().size());
        for (NewEvent event : append.events()) {
          eventTypes.add(event.eventType());
          payloads.add(Json.encode(event.payload()));
          metadata.add(event.metadata().toStorage().encode());
          eventIds.add(event.metadata().eventId().toString());
        }
      }
    }
    return Tuple.of(groups.toArray(Integer[]::new), tenants.toArray(String[]::new), types.toArray(String[]::new),
            ids.toArray(String[]::new), expected.toArray(Long[]::new), counts.toArray(Integer[]::new))
        .addArrayOfString(eventTypes.toArray(String[]::new))
        .addArrayOfString(payloads.toArray(String[]::new))
        .addArrayOfString(metadata.toArray(String[]::new))
        .addArrayOfString(eventIds.toArray(String[]::new));
  }

  /** Rows come back one per append, in input order; a group fails as a whole on its first conflict. */
  private static void complete(List<Pending> batch, RowSet<Row> rows) {
    var iterator = rows.iterator();
    for (Pending pending : batch) {
      long[] sequences = new long[pending.appends.size()];
      StoreException failure = null;
      for (int i = 0; i < sequences.length; i++) {
        Row row = iterator.next();
        String outcome = row.getString("outcome");
        AppendRequest append = pending.appends.get(i);
        if (outcome.equals("conflict") && failure == null) {
          failure = new ConcurrencyConflict(append.persistenceId().toString(), append.expectedSequence(),
              row.getLong("sequence_nr"));
        } else if (outcome.equals("ok") || outcome.equals("duplicate")) {
          sequences[i] = row.getLong("sequence_nr");
        }
      }
      if (failure == null) {
        pending.emitter.complete(sequences);
      } else {
        pending.emitter.fail(failure);
      }
    }
  }

  private record Pending(List<AppendRequest> appends, boolean alone, UniEmitter<? super long[]> emitter) {

    String describe() {
      return appends.size() == 1 ? appends.get(0).persistenceId().toString() : appends.size() + " streams";
    }
  }
}
