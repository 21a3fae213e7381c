package dev.temperstore.internal.subscriptions;

import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * LISTENs on {@code temper_store_feed} (notified by {@link FeedNotifier} after appends commit) on a dedicated
 * connection, and calls {@code onWake} on each notification, for the tenants it names, and on each (re)connection,
 * for every tenant, since notifications sent while it was away are lost. On the same connection it LISTENs on
 * {@link #LIFECYCLE_CHANNEL} and calls {@code onLifecycle} with each change, so that deliverers drop what they read
 * ahead and may no longer deliver; one sent while it was away is lost, and such events already read may still go
 * out (docs/protocol.md, "Lifecycle notices"). It only saves latency: deliverers poll as well, so while PostgreSQL is away they
 * are late, never wrong. Reconnects with a growing delay, up to 30 s.
 */
public final class FeedWakeups {

  public static final String CHANNEL = "temper_store_feed";
  /** Notified inside each lifecycle action's transaction, so at its commit (lifecycle/notices.sql). */
  public static final String LIFECYCLE_CHANNEL = "temper_store_lifecycle";

  private static final Logger LOG = LoggerFactory.getLogger(FeedWakeups.class);
  private static final long MAX_DELAY_MS = 30_000;

  private final Vertx vertx;
  private final DatabaseTarget target;
  private final Consumer<FeedWakeup> onWake;
  private final Consumer<LifecycleChange> onLifecycle;
  private PgSubscriber subscriber;
  private boolean closed;
  private long retryTimer = -1;

  public FeedWakeups(Vertx vertx, DatabaseTarget target, Consumer<FeedWakeup> onWake,
                     Consumer<LifecycleChange> onLifecycle) {
    this.vertx = vertx;
    this.target = target;
    this.onWake = onWake;
    this.onLifecycle = onLifecycle;
  }

  /** Starts listening; never fails: an unreachable database is retried in the background. */
  public void start() {
    connect(0);
  }

  public Future<Void> close() {
    closed = true;
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
    }
    return subscriber == null ? Future.succeededFuture() : subscriber.close().otherwiseEmpty();
  }

  private void connect(int attempt) {
    if (closed) {
      return;
    }
    retryTimer = -1;
    PgSubscriber created = PgSubscriber.subscriber(vertx, target.options())
        .reconnectPolicy(FeedWakeups::delay);
    subscriber = created;
    created.closeHandler(ignored -> {
      if (!closed && subscriber == created) {
        LOG.warn("feed notifications stopped; listening again (deliverers poll meanwhile)");
        retry(0);
      }
    });
    created.channel(CHANNEL)
        .subscribeHandler(ignored -> onWake.accept(FeedWakeup.EVERY_TENANT))
        .handler(payload -> onWake.accept(FeedWakeup.fromPayload(payload)));
    created.channel(LIFECYCLE_CHANNEL)
        .handler(payload -> LifecycleChange.fromPayload(payload).ifPresent(onLifecycle));
    created.connect().onFailure(e -> {
      if (!closed && subscriber == created) {
        LOG.warn("cannot listen for feed notifications ({}); retrying, deliverers poll meanwhile", e.getMessage());
        retry(attempt + 1);
      }
    });
  }

  private void retry(int attempt) {
    PgSubscriber old = subscriber;
    subscriber = null; // its close handler must not start another round
    if (old != null) {
      old.close();
    }
    retryTimer = vertx.setTimer(delay(attempt), id -> connect(attempt));
  }

  private static long delay(int attempt) {
    return Math.min(MAX_DELAY_MS, 250L << Math.min(attempt, 7));
  }
}
