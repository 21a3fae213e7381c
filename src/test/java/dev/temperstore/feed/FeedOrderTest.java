package dev.temperstore.feed;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.FeedReader;
import dev.temperstore.testing.OutOfOrderWriters;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feed's order holds against writers that commit out of position order: a reader never finds a newly
 * committed event below a position it has read, and in the end has every committed event once. Read here through
 * the bus, with the small pages that the store reads by calling its feed function; {@link StreamedFeedOrderTest}
 * reads the same in the streamed form.
 */
class FeedOrderTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;

  private StoreClient client;
  private Feed feed;

  @BeforeEach
  void storeDeployed() {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()))).await();
    client = StoreClient.create(vertx);
    feed = feed();
  }

  /** The feed the tests read: the store's, through the bus. */
  protected Feed feed() {
    return client;
  }

  @Test
  void a_tenants_events_come_in_commit_order_page_by_page_filtered_and_without_other_tenants() {
    await(client.append(PersistenceId.parse("acme:Order:o-1"), 0, Events.events(2)));
    await(client.append(PersistenceId.parse("acme:Invoice:i-1"), 0, List.of(Events.event("Issued", 1))));
    await(client.append(PersistenceId.parse("other:Order:o-1"), 0, Events.events(1)));
    await(client.append(PersistenceId.parse("acme:Order:o-1"), 2, Events.events(1)));

    FeedPage first = await(feed.readAll("acme", FeedPosition.START, FeedFilter.ALL, 2));
    FeedPage rest = await(feed.readAll("acme", first.next(), FeedFilter.ALL, 10));
    FeedPage orders = await(feed.readAll("acme", FeedPosition.START, FeedFilter.entityTypes("Order"), 10));
    FeedPage issued = await(feed.readAll("acme", FeedPosition.START,
        new FeedFilter(java.util.Set.of(), java.util.Set.of("Issued")), 10));
    FeedPage caughtUp = await(feed.readAll("acme", rest.next(), FeedFilter.ALL, 10));

    assertThat(first.events()).extracting(e -> e.persistenceId() + "@" + e.event().sequenceNr())
        .containsExactly("acme:Order:o-1@1", "acme:Order:o-1@2");
    assertThat(first.hasMore()).isTrue();
    assertThat(rest.events()).extracting(e -> e.persistenceId() + "@" + e.event().sequenceNr())
        .containsExactly("acme:Invoice:i-1@1", "acme:Order:o-1@3");
    assertThat(rest.hasMore()).isFalse();
    assertThat(orders.events()).hasSize(3).allMatch(e -> e.persistenceId().entityType().equals("Order"));
    assertThat(issued.events()).extracting(e -> e.event().eventType()).containsExactly("Issued");
    assertThat(caughtUp.events()).isEmpty();
    assertThat(caughtUp.next()).isEqualTo(rest.next());
    FeedReader.assertPositionsGrow(first, rest);
  }

  @Test
  void an_event_whose_transaction_is_still_open_holds_back_later_commits_and_then_comes_first() {
    Pool holderPool = database.asOwner().pool(vertx, 1);
    SqlConnection holder = holderPool.getConnection().await();
    try {
      holder.query("BEGIN").execute().await();
      holder.query("SELECT set_config('app.current_tenant', 'acme', true)").execute().await();
      holder.query("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
          + " VALUES ('acme', 'Order', 'late', 1, 'Late', '{}', '" + Events.event("Late", 0).metadata().toStorageJson()
          + "')").execute().await();
      await(client.append(PersistenceId.parse("acme:Order:early"), 0, Events.events(1))); // commits first

      FeedPage whileOpen = await(feed.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10));
      holder.query("COMMIT").execute().await();
      FeedPage afterCommit = await(feed.readAll("acme", whileOpen.next(), FeedFilter.ALL, 10));

      assertThat(whileOpen.events()).isEmpty(); // the early commit's position is above the open transaction's
      assertThat(afterCommit.events()).extracting(e -> e.persistenceId().entityId())
          .containsExactly("late", "early");
    } finally {
      holder.close().await();
      holderPool.close().await();
    }
  }

  @Test
  void writers_committing_out_of_order_never_make_a_reader_miss_or_repeat_an_event() throws Exception {
    CompletableFuture<List<String>> allWritten = OutOfOrderWriters.start(vertx, database.asOwner(), 6, 15, 11, 40);

    List<FeedEvent> seen = FeedReader.readWhileWriting(
        position -> await(feed.readAll("acme", position, FeedFilter.ALL, 7)), allWritten, database);
    List<String> committed = allWritten.get();

    List<String> delivered = seen.stream().map(e -> ((io.vertx.core.json.JsonObject) e.event().payload())
        .getString("id")).toList();
    assertThat(delivered).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(committed);
    Map<String, Long> lastSequence = new HashMap<>();
    for (FeedEvent event : seen) {
      Long previous = lastSequence.put(event.persistenceId().entityId(), event.event().sequenceNr());
      assertThat(event.event().sequenceNr()).isEqualTo(previous == null ? 1 : previous + 1);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

}
