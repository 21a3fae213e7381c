package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import io.vertx.core.Vertx;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import static dev.temperstore.internal.subscriptions.delivery.DelivererLife.State.CATCHING_UP;
import static dev.temperstore.internal.subscriptions.delivery.DelivererLife.State.CAUGHT_UP;
import static dev.temperstore.internal.subscriptions.delivery.DelivererLife.State.NEW;
import static dev.temperstore.internal.subscriptions.delivery.DelivererLife.State.READING;
import static dev.temperstore.internal.subscriptions.delivery.DelivererLife.State.READING_WOKEN;
import static dev.temperstore.internal.subscriptions.delivery.DelivererLife.State.READ_FAILED;
import static dev.temperstore.internal.subscriptions.delivery.DelivererLife.State.STOPPED;

/**
 * A {@link Deliverer}'s life: the state it is in, which state may follow which ({@code NEXT}), and the timers that
 * go with them. Its rhythm is the feed's: behind the end it reads page after page as its window has room; caught
 * up, it waits for a wake-up or its poll, and reads at most every tail-read gap (docs/protocol.md, "Wake-ups").
 *
 * <pre>
 *   NEW --start--> CATCHING_UP --window has room--> READING --page with more--> CATCHING_UP
 *                      ^                               |--wake-up--> READING_WOKEN (then on as from READING)
 *                      |                               |--last page--> CAUGHT_UP ---.
 *                      |                               '--failed-----> READ_FAILED -|  its timer (poll or retry
 *                      '------------------------------------------------------------'  delay), or a wake-up
 *                                                                                      past the tail-read gap
 *   every state but STOPPED --stop--> STOPPED
 * </pre>
 *
 * Sending, acknowledgements, checkpoints and the members go on alongside, in every state from start to stop; they
 * are per target, batch or save, not states of the deliverer. Every timer the deliverer sets goes through here, so
 * that entering STOPPED cancels whatever is left. Not thread-safe: the deliverer's context only.
 */
final class DelivererLife {

  enum State {
    /** Built, not started: nothing read, nothing sent. */
    NEW,
    /** A read is due (behind the feed's end, or woken at it): it starts as soon as the window has room. */
    CATCHING_UP,
    /** A page is being read. */
    READING,
    /**
     * A page is being read and something was written since it began, perhaps after its snapshot: should the page
     * end the feed, it looks again once the tail-read gap has passed rather than at the poll.
     */
    READING_WOKEN,
    /** The last page ended the feed: it waits for a wake-up or the poll (the poll timer is set). */
    CAUGHT_UP,
    /** The last read failed: it waits out the retry delay, or, as caught up, a wake-up (the poll timer is set). */
    READ_FAILED,
    /** It reads, sends and saves nothing more, and has no timer left. */
    STOPPED;

    /** Whether the state waits on the poll timer. */
    boolean waits() {
      return this == CAUGHT_UP || this == READ_FAILED;
    }
  }

  /**
   * Which state may follow which. A waiting state may follow itself: a wake-up within the tail-read gap brings the
   * poll forward to the gap's end.
   */
  private static final Map<State, Set<State>> NEXT = Map.of(
      NEW, EnumSet.of(CATCHING_UP, STOPPED),
      CATCHING_UP, EnumSet.of(READING, STOPPED),
      READING, EnumSet.of(READING_WOKEN, CATCHING_UP, CAUGHT_UP, READ_FAILED, STOPPED),
      READING_WOKEN, EnumSet.of(CATCHING_UP, CAUGHT_UP, READ_FAILED, STOPPED),
      CAUGHT_UP, EnumSet.of(CAUGHT_UP, CATCHING_UP, STOPPED),
      READ_FAILED, EnumSet.of(READ_FAILED, CATCHING_UP, STOPPED),
      STOPPED, EnumSet.noneOf(State.class));

  /** Where timers come from: Vert.x's (on the context that sets them), or a test's. */
  interface Timers {
    long once(long delayMillis, LongConsumer action);

    long every(long periodMillis, LongConsumer action);

    void cancel(long id);

    static Timers of(Vertx vertx) {
      return new Timers() {
        @Override
        public long once(long delayMillis, LongConsumer action) {
          return vertx.setTimer(delayMillis, action::accept);
        }

        @Override
        public long every(long periodMillis, LongConsumer action) {
          return vertx.setPeriodic(periodMillis, action::accept);
        }

        @Override
        public void cancel(long id) {
          vertx.cancelTimer(id);
        }
      };
    }
  }

  private final Timers timers;
  private final LongSupplier clock;
  /**
   * Caught up, it reads at most this often, however many wake-ups come: every store instance of every process
   * appending to the database wakes it, and a read per wake-up (two instances: 400 reads/s of a few dozen events
   * each while 64 clients appended) cost more than its events (docs/decisions/0015-in-process-wake-ups.md).
   */
  private final long tailReadGapMillis;
  private final long pollIntervalMillis;
  private final long retryDelayMillis;
  /** Called when a wake-up or the poll makes a read due now (the deliverer then reads if its window has room). */
  private final Runnable readDue;
  /** The timers set and neither fired (once) nor cancelled. */
  private final Set<Long> live = new HashSet<>();

  private State state = NEW;
  /**
   * Whether the last page read was full, so that the next one is likely full too: the feed then reads it in the
   * form that is fastest for many rows, and at the end in the one that costs least for a few ({@code Feed}). Not
   * the state: a wake-up makes a read due at the end, and a failed read is retried in the form it had.
   */
  private boolean behind = true;
  /** When the last read started ({@link #clock}). */
  private long lastRead;
  /** The poll timer: set exactly while the state {@link State#waits}, to fire at {@link #pollDue}. */
  private long pollTimer = -1;
  private long pollDue;

  /**
   * @param clock   milliseconds, as {@link System#currentTimeMillis}
   * @param readDue called when a wake-up or the poll makes a read due now
   */
  DelivererLife(Timers timers, LongSupplier clock, SubscriptionSettings settings, Runnable readDue) {
    this.timers = timers;
    this.clock = clock;
    this.tailReadGapMillis = settings.tailReadGap().toMillis();
    this.pollIntervalMillis = settings.pollInterval().toMillis();
    this.retryDelayMillis = settings.retryDelay().toMillis();
    this.readDue = readDue;
  }

  State state() {
    return state;
  }

  boolean stopped() {
    return state == STOPPED;
  }

  /** Whether the next read is at the feed's end, as far as it knows ({@code Feed#readAll}'s {@code atEnd}). */
  boolean atEnd() {
    return !behind;
  }

  /** Starts reading from the checkpoint, as behind. */
  void start() {
    become(CATCHING_UP);
  }

  void readStarted() {
    become(READING);
  }

  /** A page came; {@code more} when it was full (more may follow at once). */
  void pageRead(boolean more) {
    requireReading();
    behind = more;
    if (more) {
      become(CATCHING_UP);
    } else {
      // woken while reading, something may have committed after the read's snapshot: look again soon
      become(CAUGHT_UP, state == READING_WOKEN ? Math.max(0, lastRead + tailReadGapMillis - clock.getAsLong())
          : pollIntervalMillis);
    }
  }

  void readFailed() {
    requireReading();
    become(READ_FAILED, retryDelayMillis);
  }

  /** Something was written: read now rather than at the poll, but at most once per tail-read gap. */
  void wake() {
    switch (state) {
      case READING -> become(READING_WOKEN);
      case CAUGHT_UP, READ_FAILED -> {
        long gapEnds = lastRead + tailReadGapMillis;
        long wait = gapEnds - clock.getAsLong();
        if (wait > 0) {
          if (pollDue > gapEnds) {
            become(state, wait); // read once the gap has passed; later wake-ups until then change nothing
          }
          return;
        }
        become(CATCHING_UP);
        readDue.run();
      }
      case CATCHING_UP -> readDue.run();
      default -> {
        // NEW: start() reads anyway; READING_WOKEN: noted already; STOPPED: nothing more
      }
    }
  }

  /** Ends the life, cancelling every timer left; again, it changes nothing. */
  void stop() {
    if (state != STOPPED) {
      become(STOPPED);
    }
  }

  /** Runs {@code action} once after {@code delayMillis}, unless cancelled (or stopped) first. */
  long once(long delayMillis, Runnable action) {
    requireNotStopped();
    long id = timers.once(delayMillis, fired -> {
      if (live.remove(fired)) {
        action.run();
      }
    });
    live.add(id);
    return id;
  }

  /** Runs {@code action} every {@code periodMillis} until stopped. */
  long every(long periodMillis, Runnable action) {
    requireNotStopped();
    long id = timers.every(periodMillis, fired -> {
      if (live.contains(fired)) {
        action.run();
      }
    });
    live.add(id);
    return id;
  }

  /** Cancels a timer of {@link #once} or {@link #every}; -1, or one already fired or cancelled, is ignored. */
  void cancel(long id) {
    if (live.remove(id)) {
      timers.cancel(id);
    }
  }

  /** Timers set and not yet fired or cancelled: none once stopped. */
  int timers() {
    return live.size();
  }

  private void become(State next) {
    become(next, 0);
  }

  /**
   * The one way from state to state: refuses a step {@code NEXT} does not allow, then does what leaving the state
   * and entering the next take. {@code pollInMillis} is for a waiting state: when its poll fires.
   */
  private void become(State next, long pollInMillis) {
    if (!NEXT.get(state).contains(next)) {
      throw new IllegalStateException("a deliverer does not go from " + state + " to " + next);
    }
    if (state.waits()) {
      cancel(pollTimer);
      pollTimer = -1;
    }
    state = next;
    switch (next) {
      case READING -> lastRead = clock.getAsLong();
      case CAUGHT_UP, READ_FAILED -> {
        pollDue = clock.getAsLong() + pollInMillis;
        pollTimer = once(Math.max(1, pollInMillis), () -> {
          pollTimer = -1;
          become(CATCHING_UP);
          readDue.run();
        });
      }
      case STOPPED -> {
        List.copyOf(live).forEach(this::cancel);
      }
      default -> {
      }
    }
  }

  /** {@link #NEXT} lets a waiting state follow itself and go on catching up; only a read under way ends, though. */
  /** Whether a read is under way (woken meanwhile or not). */
  boolean reading() {
    return state == READING || state == READING_WOKEN;
  }

  private void requireReading() {
    if (!reading()) {
      throw new IllegalStateException("no read is under way: the deliverer is " + state);
    }
  }

  private void requireNotStopped() {
    if (state == STOPPED) {
      throw new IllegalStateException("a stopped deliverer sets no timer");
    }
  }
}
