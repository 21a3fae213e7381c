package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.internal.subscriptions.delivery.DelivererLife.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A deliverer's states and the timers that go with them, on a clock and timers of the test's: when it reads, how
 * wake-ups and the poll bring it back to reading, and that stopping leaves nothing behind.
 */
class DelivererLifeTest {

  private static final long POLL = 1_000;
  private static final long GAP = SubscriptionSettings.DEFAULT_TAIL_READ_GAP.toMillis();
  private static final long RETRY = 300;
  private static final SubscriptionSettings SETTINGS = SubscriptionSettings.defaults()
      .withIntervals(Duration.ofMillis(POLL), Duration.ofSeconds(5), Duration.ofMillis(RETRY));

  private final FakeTimers timers = new FakeTimers();
  private int readsDue;
  private final DelivererLife life = new DelivererLife(timers, () -> timers.now, SETTINGS, () -> readsDue++);

  @Test
  void it_starts_behind_and_reads_page_after_page_until_one_ends_the_feed_then_waits_for_the_poll() {
    assertThat(life.state()).isEqualTo(State.NEW);
    life.start();
    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(life.atEnd()).isFalse();

    life.readStarted();
    life.pageRead(true);
    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(life.atEnd()).isFalse();
    assertThat(timers.pending()).isEmpty();

    life.readStarted();
    timers.advance(5);
    life.pageRead(false);
    assertThat(life.state()).isEqualTo(State.CAUGHT_UP);
    assertThat(life.atEnd()).isTrue();
    assertThat(timers.pending()).containsExactly(5 + POLL);

    timers.advance(POLL);
    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(readsDue).isEqualTo(1);
    assertThat(life.atEnd()).as("the poll reads at the end").isTrue();
    assertThat(timers.pending()).isEmpty();
  }

  @Test
  void a_wake_up_within_the_tail_read_gap_brings_the_poll_forward_to_the_gap_end_and_later_ones_change_nothing() {
    caughtUp();
    timers.advance(5); // the read started at 0, so the gap ends at GAP

    life.wake();
    assertThat(timers.pending()).containsExactly(GAP);
    int set = timers.set;
    timers.advance(5);
    life.wake();
    life.wake();
    assertThat(timers.pending()).containsExactly(GAP);
    assertThat(timers.set).as("no timer set again").isEqualTo(set);
    assertThat(readsDue).isZero();

    timers.advance(GAP - 10);
    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(readsDue).isEqualTo(1);
  }

  @Test
  void a_wake_up_past_the_tail_read_gap_makes_a_read_due_at_once_and_drops_the_poll() {
    caughtUp();
    timers.advance(GAP);

    life.wake();

    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(readsDue).isEqualTo(1);
    assertThat(timers.pending()).isEmpty();
  }

  @Test
  void a_wake_up_while_reading_looks_again_once_the_gap_has_passed_rather_than_at_the_poll() {
    life.start();
    life.readStarted();
    timers.advance(5);
    life.wake();
    assertThat(life.state()).isEqualTo(State.READING_WOKEN);
    life.wake();

    life.pageRead(false);

    assertThat(life.state()).isEqualTo(State.CAUGHT_UP);
    assertThat(timers.pending()).containsExactly(GAP);
  }

  @Test
  void a_page_with_more_after_a_wake_up_while_reading_goes_on_reading_at_once() {
    life.start();
    life.readStarted();
    life.wake();

    life.pageRead(true);

    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(timers.pending()).isEmpty();
  }

  @Test
  void a_failed_read_is_tried_again_after_the_retry_delay_in_the_form_it_had() {
    life.start();
    life.readStarted();
    life.readFailed();
    assertThat(life.state()).isEqualTo(State.READ_FAILED);
    assertThat(timers.pending()).containsExactly(RETRY);

    timers.advance(RETRY);
    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(readsDue).isEqualTo(1);
    assertThat(life.atEnd()).as("still behind: the page that failed was to be a full one").isFalse();

    life.readStarted();
    life.pageRead(false);
    timers.advance(POLL);
    life.readStarted();
    life.readFailed();
    timers.advance(RETRY);
    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(life.atEnd()).as("a failed read at the end is tried again as one").isTrue();
  }

  @Test
  void a_retry_delay_shorter_than_the_tail_read_gap_is_not_put_off_by_a_wake_up() {
    DelivererLife quick = new DelivererLife(timers, () -> timers.now,
        SETTINGS.withIntervals(Duration.ofMillis(POLL), Duration.ofSeconds(5), Duration.ofMillis(5)), () -> readsDue++);
    quick.start();
    quick.readStarted();
    quick.readFailed();

    quick.wake();

    assertThat(timers.pending()).containsExactly(5L);
  }

  @Test
  void a_wake_up_while_a_read_is_due_has_the_deliverer_try_to_read() {
    life.start();

    life.wake();

    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
    assertThat(readsDue).isEqualTo(1);
  }

  @Test
  void a_wake_up_during_the_retry_delay_reads_once_the_tail_read_gap_has_passed() {
    life.start();
    life.readStarted();
    life.readFailed();

    timers.advance(5);
    life.wake();
    assertThat(life.state()).isEqualTo(State.READ_FAILED);
    assertThat(timers.pending()).containsExactly(GAP);
    timers.advance(GAP - 5);

    assertThat(life.state()).isEqualTo(State.CATCHING_UP);
  }

  @Test
  void a_step_the_table_does_not_allow_is_refused_and_changes_nothing() {
    assertThatThrownBy(life::readStarted).isInstanceOf(IllegalStateException.class)
        .hasMessage("a deliverer does not go from NEW to READING");
    assertThat(life.state()).isEqualTo(State.NEW);

    life.start();
    assertThatThrownBy(life::start).hasMessage("a deliverer does not go from CATCHING_UP to CATCHING_UP");
    assertThat(life.state()).isEqualTo(State.CATCHING_UP);

    life.readStarted();
    life.pageRead(false);
    assertThatThrownBy(life::readStarted).hasMessage("a deliverer does not go from CAUGHT_UP to READING");
    assertThat(life.state()).isEqualTo(State.CAUGHT_UP);
    assertThat(timers.pending()).containsExactly(POLL);
  }

  @Test
  void a_read_ends_only_while_one_is_under_way() {
    caughtUp();

    assertThatThrownBy(() -> life.pageRead(true)).hasMessage("no read is under way: the deliverer is CAUGHT_UP");
    assertThatThrownBy(life::readFailed).hasMessage("no read is under way: the deliverer is CAUGHT_UP");
    assertThat(life.state()).isEqualTo(State.CAUGHT_UP);
    assertThat(life.atEnd()).isTrue();
    assertThat(timers.pending()).containsExactly(POLL);
  }

  @ParameterizedTest
  @EnumSource(State.class)
  void stop_from_every_state_ends_stopped_with_no_timer_left_and_nothing_fires_after(State from) {
    into(from);
    int[] fired = new int[1];
    if (from != State.STOPPED) {
      life.once(50, () -> fired[0]++);
      life.every(100, () -> fired[0]++);
    }

    life.stop();

    assertThat(life.state()).isEqualTo(State.STOPPED);
    assertThat(life.timers()).isZero();
    assertThat(timers.pending()).isEmpty();
    int due = readsDue;
    timers.advance(10 * POLL);
    assertThat(fired[0]).isZero();
    assertThat(readsDue).isEqualTo(due);
    life.stop();
    life.wake();
    assertThat(life.state()).isEqualTo(State.STOPPED);
    assertThatThrownBy(() -> life.once(1, () -> { })).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(life::readStarted).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_timer_cancelled_after_it_was_queued_to_fire_runs_nothing() {
    life.start();
    int[] fired = new int[1];
    long id = life.once(10, () -> fired[0]++);
    life.stop();

    timers.fireCancelled(id);

    assertThat(fired[0]).isZero();
  }

  @Test
  void a_cancelled_timer_does_not_fire_and_a_fired_one_is_forgotten() {
    life.start();
    int[] fired = new int[1];
    long cancelled = life.once(10, () -> fired[0]++);
    life.once(20, () -> fired[0] += 10);
    life.cancel(cancelled);
    life.cancel(-1);

    timers.advance(30);

    assertThat(fired[0]).isEqualTo(10);
    assertThat(life.timers()).isZero();
  }

  /** Drives the life into {@code state} the way a deliverer does. */
  private void into(State state) {
    switch (state) {
      case NEW -> { }
      case CATCHING_UP -> life.start();
      case READING -> {
        life.start();
        life.readStarted();
      }
      case READING_WOKEN -> {
        life.start();
        life.readStarted();
        life.wake();
      }
      case CAUGHT_UP -> caughtUp();
      case READ_FAILED -> {
        life.start();
        life.readStarted();
        life.readFailed();
      }
      case STOPPED -> {
        life.start();
        life.stop();
      }
      default -> throw new AssertionError("no way into " + state);
    }
    assertThat(life.state()).isEqualTo(state);
  }

  /** Caught up, its last read started at the fake clock's time. */
  private void caughtUp() {
    life.start();
    life.readStarted();
    life.pageRead(false);
  }

  /** Timers on a clock that moves only when told, firing in the order they are due. */
  private static final class FakeTimers implements DelivererLife.Timers {
    private record Timer(long due, long period, LongConsumer action) {
    }

    private final Map<Long, Timer> timers = new HashMap<>();
    private final Map<Long, Timer> cancelled = new HashMap<>();
    private long now;
    private long nextId;
    /** Timers set so far. */
    private int set;

    @Override
    public long once(long delayMillis, LongConsumer action) {
      return add(new Timer(now + delayMillis, 0, action));
    }

    @Override
    public long every(long periodMillis, LongConsumer action) {
      return add(new Timer(now + periodMillis, periodMillis, action));
    }

    @Override
    public void cancel(long id) {
      Timer timer = timers.remove(id);
      if (timer != null) {
        cancelled.put(id, timer);
      }
    }

    /** Runs a cancelled timer's action all the same, as one already queued to fire when cancelled would. */
    void fireCancelled(long id) {
      cancelled.get(id).action().accept(id);
    }

    /** When the pending timers are due, earliest first. */
    List<Long> pending() {
      return timers.values().stream().map(Timer::due).sorted().toList();
    }

    /** Moves the clock on by {@code millis}, firing every timer due meanwhile, in order. */
    void advance(long millis) {
      long until = now + millis;
      while (true) {
        Map.Entry<Long, Timer> next = timers.entrySet().stream()
            .filter(entry -> entry.getValue().due() <= until)
            .min(Comparator.comparingLong((Map.Entry<Long, Timer> entry) -> entry.getValue().due())
                .thenComparingLong(Map.Entry::getKey))
            .orElse(null);
        if (next == null) {
          break;
        }
        Timer timer = next.getValue();
        now = Math.max(now, timer.due());
        if (timer.period() > 0) {
          timers.put(next.getKey(), new Timer(timer.due() + timer.period(), timer.period(), timer.action()));
        } else {
          timers.remove(next.getKey());
        }
        timer.action().accept(next.getKey());
      }
      now = until;
    }

    private long add(Timer timer) {
      set++;
      long id = nextId++;
      timers.put(id, timer);
      return id;
    }
  }
}
