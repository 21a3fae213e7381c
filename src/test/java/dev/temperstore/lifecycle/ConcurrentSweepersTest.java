package dev.temperstore.lifecycle;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.temperstore.internal.lifecycle.Sweeper;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Four sweepers on their own connections, as four store instances or replicas run them, at once on one database:
 * every hidden row is removed exactly once between them (their counts add up to the rows that went), none fails,
 * and what is still served stays.
 */
class ConcurrentSweepersTest extends LifecycleStoreTest {

  private static final int STREAMS = 12;
  private static final int EVENTS = 250;

  @Test
  void sweepers_racing_on_one_database_remove_each_hidden_row_once_and_none_fails() {
    List<PersistenceId> streams = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      PersistenceId stream = PersistenceId.parse("acme:Order:o-" + i);
      streams.add(stream);
      await(client.append(stream, 0, events(EVENTS)));
    }
    PersistenceId kept = PersistenceId.parse("acme:Order:kept");
    await(client.append(kept, 0, events(5)));
    for (int i = 0; i < STREAMS; i++) {
      if (i % 2 == 0) {
        await(client.delete(streams.get(i), OptionalLong.empty(), "ops"));
      } else {
        await(client.truncate(streams.get(i), EVENTS / 2, OptionalLong.empty(), "ops"));
      }
    }
    long before = database.admin().count("SELECT count(*) FROM events");
    Logger log = (Logger) LoggerFactory.getLogger(Sweeper.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    log.addAppender(warnings);
    List<Pool> pools = new ArrayList<>();
    List<Sweeper> sweepers = new ArrayList<>();
    List<SimpleMeterRegistry> registries = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        Pool pool = database.as(role).pool(vertx, 1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Sweeper sweeper = new Sweeper(vertx, pool, new SweepSettings(Duration.ofMillis(5), 50), registry);
        pools.add(pool);
        registries.add(registry);
        sweepers.add(sweeper);
      }
      vertx.runOnContext(ignored -> sweepers.forEach(Sweeper::start));

      // deleted: the head row stays, cleared; truncated before 125: 124 rows go
      long expected = STREAMS / 2 * (EVENTS - 1) + STREAMS / 2 * (EVENTS / 2 - 1);
      Eventually.eventually(Await.TIMEOUT, "every hidden row removed",
          () -> database.admin().count("SELECT count(*) FROM events") == before - expected);
      Eventually.eventually(Await.TIMEOUT, "the sweepers' counts caught up",
          () -> registries.stream().mapToDouble(r -> r.get("temper.store.sweep.removed").tag("table", "events")
              .counter().count()).sum() == expected);
    } finally {
      sweepers.forEach(Sweeper::close);
      pools.forEach(pool -> pool.close().await());
      log.detachAppender(warnings);
    }

    assertThat(warnings.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).isEmpty();
    assertThat(registries).as("each took rounds").allSatisfy(r ->
        assertThat(r.get("temper.store.sweep.rounds").counter().count()).isPositive());
    assertThat(await(client.read(kept, 0, 10)).events()).hasSize(5);
    assertThat(await(client.read(streams.get(1), 0, 1000)).events()).hasSize(EVENTS - EVENTS / 2 + 1);
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_streams WHERE swept_below < hidden_below"))
        .isZero();
  }
}
