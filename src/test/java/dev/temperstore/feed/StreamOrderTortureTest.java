package dev.temperstore.feed;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.testing.AppendCalls.Append;
import dev.temperstore.testing.AppendCalls;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.FeedReader;
import dev.temperstore.testing.MigratedDatabase;
import dev.temperstore.testing.StreamOrder;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static dev.temperstore.testing.Eventually.eventually;
import static dev.temperstore.testing.Eventually.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many writers over a few shared streams of three tenants, as several store instances would write them: holders
 * append one event and keep its transaction open for a random time; batchers send batches that always span tenants,
 * each stream's expected sequence its last committed one or, as a client that pipelines its appends over instances
 * would, the one a holder has open or the next, which nobody writes yet. Meanwhile consumers that follow docs/protocol.md (remember each
 * stream's last sequence, drop what is not newer) read every tenant's feed through {@code events.read-all} and
 * through a subscription. Each stream must stand in the feed in sequence order, and no consumer may lose an event.
 */
class StreamOrderTortureTest extends DatabaseTest {

  private static final List<String> TENANTS = List.of("a", "b", "c");
  private static final List<String> ENTITIES = List.of("s0", "s1");
  private static final Duration WRITING = Duration.ofSeconds(6);
  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final SubscriptionSettings PROMPT = SubscriptionSettings.defaults()
      .withIntervals(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(100))
      .withDeliveryTimeout(Duration.ofSeconds(5));

  /** Each stream's highest sequence known to be committed, and the one a holder has written but not committed. */
  private final Map<String, Long> committed = new ConcurrentHashMap<>();
  private final Map<String, Long> open = new ConcurrentHashMap<>();

  @Test
  void writers_racing_across_tenants_and_batches_leave_every_stream_in_sequence_order_for_every_consumer()
      throws Exception {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSubscriptions(PROMPT)))
        .await();
    StoreClient client = StoreClient.create(vertx);
    StreamOrder.Consumer subscribed = new StreamOrder.Consumer();
    List<Cancellable> subscriptions = new ArrayList<>();
    for (String tenant : TENANTS) {
      String address = "app.order." + tenant;
      subscriptions.add(client.subscribe(address).subscribe().with(delivery -> {
        subscribed.accept(delivery.event());
        delivery.ack();
      }));
      client.createSubscription(new Subscription(tenant, "order", address, FeedFilter.ALL, FeedPosition.START))
          .await().atMost(TIMEOUT);
    }

    String role = MigratedDatabase.createServingRole(database);
    Pool writers = database.as(role).pool(vertx, 8);
    ExecutorService threads = Executors.newFixedThreadPool(9);
    AtomicInteger written = new AtomicInteger();
    try {
      long until = System.nanoTime() + WRITING.toNanos();
      List<CompletableFuture<Void>> writing = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        long seed = 1000 + w;
        writing.add(CompletableFuture.runAsync(() -> hold(writers, new Random(seed), until, written), threads));
        writing.add(CompletableFuture.runAsync(() -> batch(writers, new Random(seed + 100), until, written),
            threads));
      }
      CompletableFuture<Void> allWritten = CompletableFuture.allOf(writing.toArray(CompletableFuture[]::new));
      List<CompletableFuture<List<FeedEvent>>> reading = new ArrayList<>();
      for (String tenant : TENANTS) {
        reading.add(CompletableFuture.supplyAsync(() -> readAll(client, tenant, allWritten), threads));
      }

      allWritten.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      StreamOrder.Consumer readAll = new StreamOrder.Consumer();
      for (CompletableFuture<List<FeedEvent>> reader : reading) {
        reader.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).forEach(readAll::accept);
      }

      Set<String> stored = Set.copyOf(database.admin().strings("SELECT tenant || ':Order:' || entity_id || ' '"
          + " || sequence_nr FROM events"));
      assertThat(stored).as("events written").hasSizeGreaterThan(100).hasSize(written.get());
      assertThat(StreamOrder.outOfSequenceInTable(database)).as("streams out of sequence in the feed's order")
          .isEmpty();
      assertThat(readAll.dropped()).as("events.read-all: events a consumer drops as not newer").isEmpty();
      assertThat(names(readAll.applied())).as("events.read-all: every event applied").isEqualTo(stored);
      eventually(TIMEOUT, "every event delivered by the subscriptions",
          () -> names(subscribed.applied()).size() >= stored.size());
      assertThat(names(subscribed.applied())).as("subscriptions: every event applied, none lost to a drop")
          .isEqualTo(stored);
    } finally {
      subscriptions.forEach(Cancellable::cancel);
      threads.shutdownNow();
      writers.close().await();
    }
  }

  /** Appends one event at a stream's committed head and keeps its transaction open for 2 to 25 ms. */
  private void hold(Pool pool, Random random, long until, AtomicInteger written) {
    while (System.nanoTime() < until) {
      String tenant = pick(random, TENANTS);
      String entity = pick(random, ENTITIES);
      String stream = tenant + ":" + entity;
      SqlConnection connection = pool.getConnection().await();
      try {
        connection.query("BEGIN").execute().await();
        String[] outcome;
        try {
          outcome = AppendCalls.one(connection, tenant, entity, committed.getOrDefault(stream, 0L)).await()
              .split(" ");
        } catch (PgException e) {
          if (!rolledBackByPostgres(e)) {
            throw e;
          }
          connection.query("ROLLBACK").execute().await();
          continue;
        }
        long sequence = Long.parseLong(outcome[1]);
        if (outcome[0].equals("ok")) {
          open.put(stream, sequence);
          pause(Duration.ofMillis(2 + random.nextInt(24)));
          connection.query("COMMIT").execute().await();
          open.remove(stream, sequence);
          written.incrementAndGet();
        } else {
          connection.query("ROLLBACK").execute().await();
        }
        committed.merge(stream, sequence, Math::max);
      } finally {
        connection.close().await();
      }
    }
  }

  /** Sends batches of one stream from each of two or three tenants, in random order. */
  private void batch(Pool pool, Random random, long until, AtomicInteger written) {
    while (System.nanoTime() < until) {
      List<String> tenants = new ArrayList<>(TENANTS);
      Collections.shuffle(tenants, random);
      List<Append> appends = new ArrayList<>();
      for (String tenant : tenants.subList(0, 2 + random.nextInt(2))) {
        String entity = pick(random, ENTITIES);
        String stream = tenant + ":" + entity;
        long head = committed.getOrDefault(stream, 0L);
        long expected = switch (random.nextInt(3)) {
          case 0 -> head + 1; // pipelined after an append another instance has yet to write
          case 1 -> open.getOrDefault(stream, head); // after one a holder is writing
          default -> head;
        };
        appends.add(new Append(appends.size(), tenant, entity, expected, 1));
      }
      List<String> outcomes;
      try {
        outcomes = AppendCalls.batch(pool, appends).await();
      } catch (PgException e) {
        if (!rolledBackByPostgres(e)) {
          throw e;
        }
        continue; // nothing written; the store's batcher would send it again
      }
      for (int i = 0; i < appends.size(); i++) {
        String[] outcome = outcomes.get(i).split(" ");
        Append append = appends.get(i);
        if (outcome[0].equals("ok")) {
          written.incrementAndGet();
        }
        if (!outcome[0].equals("skipped")) {
          committed.merge(append.tenant() + ":" + append.entityId(), Long.parseLong(outcome[1]), Math::max);
        }
      }
    }
  }

  private List<FeedEvent> readAll(StoreClient client, String tenant, CompletableFuture<Void> writing) {
    try {
      return FeedReader.readWhileWriting(
          after -> client.readAll(tenant, after, FeedFilter.ALL, 50).await().atMost(TIMEOUT), writing, database);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A deadlock between these writers, which lock streams in no agreed order (unlike the store's batcher, which sorts
   * them): PostgreSQL rolls one transaction back, nothing of it is written, and the writer goes on.
   */
  private static boolean rolledBackByPostgres(PgException e) {
    return "40P01".equals(e.getSqlState());
  }

  private static Set<String> names(List<FeedEvent> events) {
    return events.stream().map(event -> event.persistenceId() + " " + event.event().sequenceNr())
        .collect(Collectors.toSet());
  }

  private static String pick(Random random, List<String> from) {
    return from.get(random.nextInt(from.size()));
  }
}
