package dev.temperstore.lifecycle;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.StreamTombstoned;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.tenancy.PersistenceId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.OptionalLong;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delete and a tombstone racing appenders of the same stream, through the store as a NOBYPASSRLS runtime role:
 * no event survives a tombstone, and no append acknowledged after a delete is lost.
 */
class StreamLifecycleRaceTest extends LifecycleStoreTest {

  private static final PersistenceId ORDER = PersistenceId.parse("acme:Order:o-1");
  private static final int WRITERS = 4;


  @Test
  void no_event_survives_a_tombstone_that_races_appenders_and_every_later_append_is_a_410() throws Exception {
    Writers writers = new Writers();
    writers.awaitAppends(100);
    StreamChange tombstone = await(client.tombstone(ORDER, OptionalLong.empty(), "race"));
    List<String> endings = writers.stopAfter(Duration.ofMillis(300));

    assertThat(endings).as("every writer ends on the tombstone").containsOnly("410");
    assertThat(writers.acknowledged).isNotEmpty().allMatch(sequence -> sequence <= tombstone.head());
    // Above the head only the tombstone's two rows: the position it held, and the highest sequence.
    assertThat(database.admin().strings("SELECT event_type || ' ' || (sequence_nr - $1) FROM events"
        + " WHERE sequence_nr > $1 ORDER BY sequence_nr", tombstone.head()))
        .containsExactly("$lifecycle 1", "$tombstone " + (Long.MAX_VALUE - tombstone.head()));
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(tombstone.head() + 2);
    assertThat(await(client.read(ORDER, 0, 1000)).events()).isEmpty();
  }

  @Test
  void every_append_acknowledged_after_a_racing_delete_is_served_and_none_before_it() throws Exception {
    Writers writers = new Writers();
    writers.awaitAppends(100);
    StreamChange deleted = await(client.delete(ORDER, OptionalLong.empty(), "race"));
    writers.awaitAppends(writers.acknowledged.size() + 100);
    List<String> endings = writers.stopAfter(Duration.ZERO);

    assertThat(endings).containsOnly("stopped");
    Set<Long> served = new TreeSet<>();
    await(client.read(ORDER, 0, 1000)).events().stream().map(StoredEvent::sequenceNr).forEach(served::add);
    Set<Long> expected = new TreeSet<>();
    writers.acknowledged.stream().filter(sequence -> sequence > deleted.head()).forEach(expected::add);
    assertThat(served).isEqualTo(expected).hasSizeGreaterThanOrEqualTo(100);
    assertThat(deleted.events()).isEqualTo(deleted.head());
    assertThat(writers.acknowledged.headSet(deleted.head(), true)).hasSize((int) deleted.head());
  }

  /** Appenders of one event at a time, each following the stream's head it last heard of. */
  private final class Writers {
    final ConcurrentSkipListSet<Long> acknowledged = new ConcurrentSkipListSet<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
    final List<Future<String>> endings = new ArrayList<>();

    Writers() {
      for (int i = 0; i < WRITERS; i++) {
        endings.add(threads.submit(this::write));
      }
    }

    private String write() {
      AtomicLong head = new AtomicLong();
      while (!stop.get()) {
        try {
          long sequence = await(client.append(ORDER, head.get(), events(1)));
          acknowledged.add(sequence);
          head.set(sequence);
        } catch (ConcurrencyConflict conflict) {
          head.set(conflict.actual());
        } catch (StreamTombstoned tombstoned) {
          return "410";
        }
      }
      return "stopped";
    }

    void awaitAppends(int count) throws InterruptedException {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acknowledged.size() < count && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertThat(acknowledged.size()).as("appends acknowledged").isGreaterThanOrEqualTo(count);
    }

    List<String> stopAfter(Duration grace) throws Exception {
      Thread.sleep(grace.toMillis());
      stop.set(true);
      List<String> results = new ArrayList<>();
      for (Future<String> ending : endings) {
        results.add(ending.get(60, TimeUnit.SECONDS));
      }
      threads.shutdown();
      return results;
    }
  }
}
