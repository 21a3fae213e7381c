package dev.temperstore.testing;

import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writers that hold each transaction open for a random time before committing, so that events commit out of
 * their id and transaction order: what the feed's order must survive. Writer {@code w} appends to stream
 * {@code <tenant>:Order:w<w>}, sequence 1 on, its tenant {@code acme} unless the writers are spread over several;
 * each event's payload is {@code {"id": "w<w>-<n>"}}.
 */
public final class OutOfOrderWriters {

  private OutOfOrderWriters() {
  }

  /** Starts the writers on their own threads; completes with the ids in the order they committed. */
  public static CompletableFuture<List<String>> start(Vertx vertx, DatabaseTarget owner, int writers, int appendsEach,
                                                      long seed, int maxHoldMillis) {
    return start(vertx, owner, writers, appendsEach, seed, maxHoldMillis, List.of("acme"));
  }

  /** As above, writer {@code w} writing to tenant {@code tenants.get(w % tenants.size())}. */
  public static CompletableFuture<List<String>> start(Vertx vertx, DatabaseTarget owner, int writers, int appendsEach,
                                                      long seed, int maxHoldMillis, List<String> tenants) {
    Random random = new Random(seed);
    Pool pool = owner.pool(vertx, writers);
    List<String> committed = Collections.synchronizedList(new ArrayList<>());
    ExecutorService threads = Executors.newFixedThreadPool(writers);
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      String tenant = tenants.get(w % tenants.size());
      long[] holdMillis = random.longs(appendsEach, 0, maxHoldMillis).toArray();
      running.add(CompletableFuture.runAsync(() -> {
        for (int n = 1; n <= appendsEach; n++) {
          SqlConnection connection = pool.getConnection().await();
          try {
            String id = "w" + writer + "-" + n;
            connection.query("BEGIN").execute().await();
            connection.query("SELECT set_config('app.current_tenant', '" + tenant + "', true)").execute().await();
            connection.query("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
                + " metadata) VALUES ('" + tenant + "', 'Order', 'w" + writer + "', " + n + ", 'E', '{\"id\":\"" + id + "\"}', '"
                + Events.event("E", n).metadata().toStorageJson() + "')").execute().await();
            Thread.sleep(holdMillis[n - 1]);
            connection.query("COMMIT").execute().await();
            committed.add(id);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          } finally {
            connection.close().await();
          }
        }
      }, threads));
    }
    return CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
        .whenComplete((done, failure) -> {
          threads.shutdown();
          pool.close();
        })
        .thenApply(done -> List.copyOf(committed));
  }
}
