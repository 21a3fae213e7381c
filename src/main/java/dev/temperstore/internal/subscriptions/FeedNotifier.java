package dev.temperstore.internal.subscriptions;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Wakes the feed's deliverers after appends commit: those of this process over the local bus ({@link LocalWakeups}),
 * and, with a {@code NOTIFY} of its own (never inside the append's transaction), those of every other process on the
 * database ({@link FeedWakeups} listens), but only while some subscription may be delivered elsewhere: one that
 * this process does not deliver, as of the last check. PostgreSQL takes one cluster-wide lock to queue a
 * notification at commit, so a notification inside every append halved the append rate at 8 clients; here at most
 * one wake-up is sent per {@code minInterval}, however many batches commit meanwhile, naming the tenants they wrote
 * (only those tenants' deliverers read, see {@link FeedWakeup}), and none while the database holds no
 * subscription. The subscriptions are checked every {@code recheck}: a subscription that another process claimed
 * since is woken only by its own polls until then. A lost or skipped wake-up only delays delivery to the
 * deliverers' next poll. State is confined to one event-loop context.
 */
public final class FeedNotifier {

  private static final Logger LOG = LoggerFactory.getLogger(FeedNotifier.class);
  private static final String NOTIFY = "SELECT pg_notify('" + FeedWakeups.CHANNEL + "', $1)";

  /** Subscriptions read at most per check: with more, every wake-up is also notified. */
  static final int MAX_CHECKED = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final PgSubscriptionStore subscriptions;
  private final LocalWakeups local;
  private final long minIntervalMillis;
  private final long timer;
  /**
   * Every subscription's id at the last check; null when unknown (before the first check, after a failed one, or
   * beyond {@link #MAX_CHECKED}): then every wake-up is sent, as a wake-up too many is harmless.
   */
  private List<String> known;
  /** Tenants that appended since the last wake-up was sent. */
  private final Set<String> written = new HashSet<>();
  private boolean sending;
  private boolean pending;
  private long lastSent;

  public FeedNotifier(Vertx vertx, Pool pool, PgSubscriptionStore subscriptions, LocalWakeups local,
                      Duration minInterval, Duration recheck) {
    this.vertx = vertx;
    this.pool = pool;
    this.subscriptions = subscriptions;
    this.local = local;
    this.minIntervalMillis = Math.max(1, minInterval.toMillis());
    recheck();
    this.timer = vertx.setPeriodic(recheck.toMillis(), id -> recheck());
  }

  /** Events of {@code tenants} were committed; call on the context this notifier was made on. */
  public void appended(Set<String> tenants) {
    if (known != null && known.isEmpty()) {
      return; // no subscription: nobody to wake
    }
    if (written.size() <= FeedWakeup.MAX_TENANTS) { // beyond, the wake-up is for every tenant anyway
      written.addAll(tenants);
    }
    schedule();
  }

  private void schedule() {
    if (sending) {
      pending = true;
      return;
    }
    long wait = lastSent + minIntervalMillis - System.currentTimeMillis();
    if (wait > 0) {
      if (!pending) {
        pending = true;
        vertx.setTimer(wait, id -> {
          pending = false;
          send();
        });
      }
      return;
    }
    send();
  }

  public void close() {
    vertx.cancelTimer(timer);
  }

  private void send() {
    lastSent = System.currentTimeMillis();
    FeedWakeup wakeup = FeedWakeup.of(written);
    written.clear();
    local.wake(wakeup);
    if (known != null && local.deliversAll(known)) {
      return;
    }
    sending = true;
    pool.preparedQuery(NOTIFY).execute(Tuple.of(wakeup.toPayload())).onComplete(done -> {
      sending = false;
      if (done.failed()) {
        LOG.debug("feed notification not sent ({}); deliverers poll", done.cause().getMessage());
      }
      if (pending) {
        pending = false;
        schedule();
      }
    });
  }

  private void recheck() {
    subscriptions.toDeliver(MAX_CHECKED).subscribe().with(
        rows -> known = rows.size() < MAX_CHECKED ? rows.stream().map(SubscriptionRow::id).toList() : null,
        failure -> known = null);
  }
}
