package dev.temperstore.feed.subscriptions.pg;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Wakes the feed's deliverers, in this process and every other one on the database ({@link FeedWakeups} listens),
 * after appends commit: a {@code NOTIFY} of its own, never inside the append's transaction. PostgreSQL takes one
 * cluster-wide lock to queue a notification at commit, so a notification inside every append halved the append
 * rate at 8 clients; here at most one is sent per {@code minInterval}, however many batches commit meanwhile, and
 * none while the database holds no subscription (checked every {@code recheck}). A lost or skipped notification
 * only delays delivery to the deliverers' next poll. State is confined to one event-loop context.
 */
public final class FeedNotifier {

  private static final Logger LOG = LoggerFactory.getLogger(FeedNotifier.class);
  private static final String NOTIFY = "SELECT pg_notify('" + FeedWakeups.CHANNEL + "', '')";

  private final Vertx vertx;
  private final Pool pool;
  private final PgSubscriptionStore subscriptions;
  private final long minIntervalMillis;
  private final long timer;
  private boolean anySubscription = true; // until the first check says otherwise: a wake-up too many is harmless
  private boolean sending;
  private boolean pending;
  private long lastSent;

  public FeedNotifier(Vertx vertx, Pool pool, PgSubscriptionStore subscriptions, Duration minInterval,
                      Duration recheck) {
    this.vertx = vertx;
    this.pool = pool;
    this.subscriptions = subscriptions;
    this.minIntervalMillis = Math.max(1, minInterval.toMillis());
    recheck();
    this.timer = vertx.setPeriodic(recheck.toMillis(), id -> recheck());
  }

  /** Events were committed; call on the context this notifier was made on. */
  public void appended() {
    if (!anySubscription) {
      return;
    }
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
    sending = true;
    lastSent = System.currentTimeMillis();
    pool.query(NOTIFY).execute().onComplete(done -> {
      sending = false;
      if (done.failed()) {
        LOG.debug("feed notification not sent ({}); deliverers poll", done.cause().getMessage());
      }
      if (pending) {
        pending = false;
        appended();
      }
    });
  }

  private void recheck() {
    subscriptions.toDeliver(1).subscribe().with(
        rows -> anySubscription = !rows.isEmpty(),
        failure -> anySubscription = true);
  }
}
