package dev.temperstore.feed.subscriptions;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.PostgresServer;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two store replicas in separate processes, not clustered (each has its own event bus and its own consumer), on
 * one database and one subscription: the claim in PostgreSQL lets exactly one deliver, and when that process is
 * killed (SIGKILL: no shutdown, no checkpoint saved on the way out) the other takes over within the claim interval
 * and delivers everything after the saved checkpoint, in stream order.
 */
class SubscriptionReplicasIT extends DatabaseTest {

  private static final Duration START = Await.TIMEOUT;
  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final long CLAIM_INTERVAL_MILLIS = 500;
  private static final String ADDRESS = "app.audit";
  private static final int STREAMS = 5;

  @TempDir
  Path workDir;

  @Test
  void of_two_replica_processes_exactly_one_delivers_and_when_it_is_killed_the_other_takes_over_losing_nothing()
      throws Exception {
    // This process only appends and creates: its own deliverers are off, so the replicas are the only claimants.
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner())
        .withSubscriptions(SubscriptionSettings.defaults().withEnabled(false)))).await();
    StoreClient client = StoreClient.create(vertx);
    await(client.createSubscription(new Subscription("acme", "audit", ADDRESS, FeedFilter.ALL, FeedPosition.START)));
    String url = PostgresServer.url(database.asOwner());

    try (JarProcess one = JarProcess.startMain(workDir, ReplicaProcess.class, url, ADDRESS);
         JarProcess two = JarProcess.startMain(workDir, ReplicaProcess.class, url, ADDRESS)) {
      one.awaitLine(line -> line.equals(ReplicaProcess.READY), START);
      two.awaitLine(line -> line.equals(ReplicaProcess.READY), START);
      appendRound(client, 0, 10);

      eventually(TIMEOUT, "the first 50 events delivered", () -> positions(one, two).size() == 50);
      Thread.sleep(CLAIM_INTERVAL_MILLIS * 4); // several claim rounds: the other replica must stay out
      boolean oneDelivers = !deliveries(one).isEmpty();
      JarProcess owner = oneDelivers ? one : two;
      JarProcess survivor = oneDelivers ? two : one;
      assertThat(deliveries(survivor)).as("the replica without the claim delivers nothing").isEmpty();
      assertThat(advisoryLocks()).as("claims held").isEqualTo(1);

      owner.kill();
      long killed = System.nanoTime();
      appendRound(client, 10, 20);
      survivor.awaitLine(line -> line.startsWith(ReplicaProcess.DELIVERED), TIMEOUT);
      long tookOverMillis = (System.nanoTime() - killed) / 1_000_000;
      eventually(TIMEOUT, "all 100 events delivered", () -> positions(one, two).size() == 100);

      // PostgreSQL sees the killed process's socket close at once; the survivor claims at its next round.
      assertThat(tookOverMillis).as("takeover after kill -9").isLessThan(CLAIM_INTERVAL_MILLIS + 3_000);
      List<FeedPosition> feed = feedPositions(client);
      assertThat(feed).hasSize(100);
      assertThat(positions(one, two)).containsExactlyInAnyOrderElementsOf(feed);
      assertInStreamOrder(deliveries(owner)); // the survivor starts after the saved checkpoint: no step back
      assertInStreamOrder(deliveries(survivor));
      FeedPosition last = feed.get(feed.size() - 1);
      eventually(TIMEOUT, "the checkpoint in the database reaches the last event", () -> checkpoint().equals(last));
      assertThat(advisoryLocks()).as("only the survivor's claim is held").isEqualTo(1);
    }
  }

  /** Appends events {@code from} (inclusive) to {@code to} of each of the streams, one event per request. */
  private static void appendRound(StoreClient client, int from, int to) {
    for (int sequence = from; sequence < to; sequence++) {
      for (int stream = 0; stream < STREAMS; stream++) {
        await(client.append(PersistenceId.parse("acme:Order:o-" + stream), sequence, Events.events(1)));
      }
    }
  }

  /** A replica's deliveries in the order it printed them: position, persistence id, sequence. */
  private static List<String[]> deliveries(JarProcess replica) {
    List<String[]> deliveries = new ArrayList<>();
    for (String line : replica.lines(line -> line.startsWith(ReplicaProcess.DELIVERED))) {
      deliveries.add(line.substring(ReplicaProcess.DELIVERED.length()).split(" "));
    }
    return deliveries;
  }

  private static Set<FeedPosition> positions(JarProcess... replicas) {
    Set<FeedPosition> positions = new HashSet<>();
    for (JarProcess replica : replicas) {
      deliveries(replica).forEach(fields -> positions.add(FeedPosition.parse("position", fields[0])));
    }
    return positions;
  }

  private static void assertInStreamOrder(List<String[]> deliveries) {
    assertThat(deliveries).isNotEmpty();
    Map<String, Long> last = new HashMap<>();
    for (String[] fields : deliveries) {
      long sequence = Long.parseLong(fields[2]);
      Long previous = last.put(fields[1], sequence);
      if (previous != null) {
        assertThat(sequence).as(fields[1] + " in order").isGreaterThan(previous);
      }
    }
  }

  private static List<FeedPosition> feedPositions(StoreClient client) {
    List<FeedPosition> positions = new ArrayList<>();
    FeedPage page = await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 1000));
    page.events().stream().map(FeedEvent::position).forEach(positions::add);
    return positions;
  }

  private FeedPosition checkpoint() {
    Row row = database.admin().rows("SELECT checkpoint_tx, checkpoint_id FROM temper_store_subscriptions"
        + " WHERE tenant = 'acme' AND name = 'audit'").get(0);
    return new FeedPosition(row.getLong(0), row.getLong(1));
  }

  private long advisoryLocks() {
    return database.admin().count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  }

}
