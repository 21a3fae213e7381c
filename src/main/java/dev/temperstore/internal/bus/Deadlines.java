package dev.temperstore.internal.bus;

import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One instance's requests in flight, each answered by the common deadline unless it is answered first, with one
 * timer for all of them: under one deadline the request that came first is the first to expire, so the requests wait
 * in arrival order and the timer is set for the first one that is still unanswered. A timer set and cancelled for
 * every request was 2.6% of the event loop's samples in 1-event appends at one client (async-profiler, 2026-12-07).
 * Touched only on the instance's context, where the timer fires too.
 *
 * <p>Timers count whole milliseconds and fire a little late, so a request due within {@link #EARLY} of the timer
 * going off is answered then, rather than by a timer set again for it: its answer never comes later than a timer of
 * its own would have brought it, and so never after its statement's timeout (set to the same deadline but started
 * after the request), which would answer it with that error instead.
 */
final class Deadlines {

  /** How early a request may be answered by the deadline, for the timer's sake. */
  static final long EARLY = TimeUnit.MILLISECONDS.toNanos(2);

  private final Vertx vertx;
  private final long deadlineNanos;
  /** Watches in arrival order; those answered leave once they reach the head. */
  private final ArrayDeque<Watch> waiting = new ArrayDeque<>();
  private boolean armed;

  Deadlines(Vertx vertx, Duration deadline) {
    this.vertx = vertx;
    this.deadlineNanos = deadline.toNanos();
  }

  /**
   * Watches a request that started at {@code started} ({@link System#nanoTime}): {@code expire} runs at its
   * deadline unless {@link Watch#answer} was called first.
   */
  Watch watch(long started, Runnable expire) {
    Watch watch = new Watch(started + deadlineNanos, expire);
    waiting.addLast(watch);
    if (!armed) {
      arm(watch.expiresAt);
    }
    return watch;
  }

  /** How many watches are kept: the unanswered, and the answered behind the first unanswered one. */
  int kept() {
    return waiting.size();
  }

  private void arm(long at) {
    armed = true;
    long millis = Math.max(1, (at - System.nanoTime()) / 1_000_000);
    vertx.setTimer(millis, id -> expireDue());
  }

  private void expireDue() {
    armed = false;
    long now = System.nanoTime();
    while (!waiting.isEmpty()) {
      Watch first = waiting.peekFirst();
      if (first.answered) {
        waiting.pollFirst();
      } else if (first.expiresAt - now > EARLY) {
        arm(first.expiresAt);
        return;
      } else {
        waiting.pollFirst();
        Runnable expire = first.expire;
        first.settle();
        expire.run();
      }
    }
  }

  /** One request's place in the wait. */
  final class Watch {

    private final long expiresAt;
    private Runnable expire;
    private boolean answered;

    private Watch(long expiresAt, Runnable expire) {
      this.expiresAt = expiresAt;
      this.expire = expire;
    }

    /** Whether this is the request's first answer (its deadline, or its outcome); it then stops being watched. */
    boolean answer() {
      if (answered) {
        return false;
      }
      settle();
      while (!waiting.isEmpty() && waiting.peekFirst().answered) {
        waiting.pollFirst();
      }
      return true;
    }

    private void settle() {
      answered = true;
      expire = null; // nothing of the request is held once it is answered
    }
  }
}
