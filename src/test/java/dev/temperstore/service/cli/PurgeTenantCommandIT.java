package dev.temperstore.service.cli;

import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Eventually;
import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.PostgresServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code purge-tenant} as an operator runs it: killed with SIGKILL in the middle of its batches, then run again, it
 * resumes the same purge, its receipt's counts exact, and removes every row of the tenant and none of another's.
 */
class PurgeTenantCommandIT extends DatabaseTest {

  private static final Duration TIMEOUT = Await.PROCESS_TIMEOUT;
  private static final int EVENTS = 60_000;

  @TempDir
  Path workDir;

  @Test
  void a_purge_killed_mid_way_resumes_under_the_same_id_with_exact_counts_and_leaves_the_neighbour_untouched()
      throws Exception {
    Map<String, String> env = Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()));
    JarProcess migrate = JarProcess.start(workDir, env, "migrate");
    assertThat(migrate.exitCode(TIMEOUT)).as(migrate.output()).isZero();
    seed("gone", EVENTS);
    seed("gone.not", 10);
    String neighbour = database.admin().strings("SELECT string_agg(x::text, ',' ORDER BY id) FROM events x"
        + " WHERE tenant = 'gone.not'").get(0);

    // Small batches, resting nine times as long as each takes: the purge is surely under way when it is killed.
    try (JarProcess first = JarProcess.start(workDir, env, "purge-tenant", "--tenant", "gone", "--batch", "500",
        "--duty", "0.1")) {
      Eventually.eventually(TIMEOUT, "three batches of events removed",
          () -> first.lines(line -> line.trim().equals("events: 500")).size() >= 3);
      first.kill();
    }
    long left = database.admin().count("SELECT count(*) FROM events WHERE tenant = 'gone'");
    long counted = database.admin().count("SELECT (removed ->> 'events')::bigint FROM temper_store_purges"
        + " WHERE tenant = 'gone' AND finished_at IS NULL");
    assertThat(left).as("killed mid-way").isPositive().isLessThan(EVENTS);
    assertThat(counted).as("the receipt counts exactly what went").isEqualTo(EVENTS - left);

    JarProcess second = JarProcess.start(workDir, env, "purge-tenant", "--tenant", "gone", "--batch", "5000",
        "--duty", "1");
    assertThat(second.exitCode(TIMEOUT)).as(second.output()).isZero();

    assertThat(second.output()).contains("resuming purge");
    String output = second.output();
    // the receipt: the pretty-printed JSON on standard output, after the progress lines
    JsonObject receipt = new JsonObject(output.substring(output.lastIndexOf("\n{") + 1, output.lastIndexOf('}') + 1));
    assertThat(receipt.getBoolean("finished")).isTrue();
    assertThat(receipt.getJsonObject("removed").getLong("events")).isEqualTo(EVENTS);
    assertThat(receipt.getJsonObject("remaining").getLong("events")).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'gone'")).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_purges")).as("one purge, resumed")
        .isEqualTo(1);
    assertThat(database.admin().strings("SELECT string_agg(x::text, ',' ORDER BY id) FROM events x"
        + " WHERE tenant = 'gone.not'").get(0)).isEqualTo(neighbour);
  }

  private void seed(String tenant, int events) {
    database.admin().execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
        + " metadata) SELECT '" + tenant + "', 'Order', 'o-' || (n / 100), n % 100 + 1, 'E', '{}',"
        + " '{\"event_id\": \"00000000-0000-0000-0000-000000000001\"}' FROM generate_series(0, " + (events - 1)
        + ") n");
  }
}
