package dev.temperstore.feed;

import dev.temperstore.internal.feed.PgFeed;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.RuntimeRoleTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The feed served as a NOBYPASSRLS runtime role reads a page through the feed index from its position, not from
 * the start of the tenant's events, and stays confined to the tenant it names.
 */
class FeedUnderRowSecurityTest extends RuntimeRoleTest {

  @BeforeEach
  void events() {
    // 20,000 events of acme in 20 transactions, and some of beta between them.
    String metadata = Events.event("E", 0).metadata().toStorageJson();
    for (int batch = 0; batch < 20; batch++) {
      database.admin().execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
          + " metadata) SELECT 'acme', 'Order', 'o-' || g, " + (batch + 1) + ", 'E', '{}', '" + metadata + "'"
          + " FROM generate_series(1, 1000) g;"
          + " INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
          + " VALUES ('beta', 'Order', 'b', " + (batch + 1) + ", 'E', '{}', '" + metadata + "')");
    }
    database.admin().execute("ANALYZE events");
  }

  @Test
  void a_page_near_the_end_of_a_long_feed_reads_a_few_index_pages_not_the_tenants_whole_index() {
    List<io.vertx.sqlclient.Row> last = database.admin().rows("SELECT tx_id::text::bigint, id FROM events"
        + " WHERE tenant = 'acme' ORDER BY id DESC OFFSET 200 LIMIT 1");
    String page = "temper_store_read_feed('acme', " + last.get(0).getLong(0) + ", " + last.get(0).getLong(1)
        + ", NULL, NULL, 100)";
    SqlConnection connection = runtime.getConnection().await();
    Object explain;
    try {
      // Once first, so that the function's compilation and planning are not counted.
      connection.query("SELECT count(*) FROM " + page).execute().await();
      explain = connection.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM " + page).execute().await()
          .iterator().next().getValue(0);
    } finally {
      connection.close().await();
    }
    JsonObject plan = ((JsonArray) explain).getJsonObject(0).getJsonObject("Plan");
    long buffers = plan.getLong("Shared Hit Blocks") + plan.getLong("Shared Read Blocks");

    assertThat(plan.getLong("Actual Rows")).isEqualTo(100);
    assertThat(buffers).as("buffers a page reads (the tenant's index alone is hundreds)").isLessThan(100);
  }

  @Test
  void the_runtime_roles_feed_never_streams_its_own_query_and_serves_only_the_tenant_it_names() {
    PgFeed feed = await(PgFeed.forRole(runtime, 1000));
    FeedPage beta = await(feed.readAll("beta", FeedPosition.START, FeedFilter.ALL, 1000));

    assertThat(feed.streamedFrom()).isEqualTo(Integer.MAX_VALUE);
    assertThat(await(PgFeed.forRole(database.asOwner().pool(vertx, 1), 1000)).streamedFrom())
        .isEqualTo(PgFeed.STREAMED_FROM);
    assertThat(beta.events()).hasSize(20).allMatch(event -> event.persistenceId().tenant().equals("beta"));
  }

  @Test
  void a_role_without_the_runtime_grants_may_not_call_the_feed_function_that_runs_as_the_owner() {
    String stranger = database.createRole("LOGIN NOBYPASSRLS");
    database.admin().execute("GRANT CONNECT ON DATABASE \"" + database.name() + "\" TO " + stranger
        + "; GRANT USAGE ON SCHEMA public TO " + stranger);

    assertThatThrownBy(() -> database.sqlAs(stranger).strings("SELECT id::text FROM temper_store_read_feed('acme', 0,"
        + " 0, NULL, NULL, 10)")).hasMessageContaining("permission denied for function temper_store_read_feed");
  }
}
