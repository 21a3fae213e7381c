package dev.temperstore.internal.subscriptions;

import dev.temperstore.internal.postgres.Listener;
import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.function.Consumer;

/**
 * LISTENs on {@code temper_store_feed} (notified by {@link FeedNotifier} after appends commit) on a dedicated
 * connection ({@link Listener}), and calls {@code onWake} on each notification, for the tenants it names, and on
 * each (re)connection, for every tenant, since notifications sent while it was away are lost. On the same
 * connection it LISTENs on {@link #LIFECYCLE_CHANNEL} and calls {@code onLifecycle} with each change, so that
 * deliverers drop what they read ahead and may no longer deliver; one sent while it was away is lost, and such
 * events already read may still go out (docs/protocol.md, "Lifecycle notices"). It only saves latency: deliverers
 * poll as well, so while PostgreSQL is away they are late, never wrong.
 */
public final class FeedWakeups {

  public static final String CHANNEL = "temper_store_feed";
  /** Notified inside each lifecycle action's transaction, so at its commit (lifecycle/notices.sql). */
  public static final String LIFECYCLE_CHANNEL = "temper_store_lifecycle";

  private final Listener listener;

  public FeedWakeups(Vertx vertx, DatabaseTarget target, Consumer<FeedWakeup> onWake,
                     Consumer<LifecycleChange> onLifecycle) {
    this.listener = new Listener(vertx, target, "feed notifications", "deliverers poll meanwhile")
        .on(CHANNEL, payload -> onWake.accept(FeedWakeup.fromPayload(payload)),
            () -> onWake.accept(FeedWakeup.EVERY_TENANT))
        .on(LIFECYCLE_CHANNEL, payload -> LifecycleChange.fromPayload(payload).ifPresent(onLifecycle), () -> { });
  }

  /** Starts listening; never fails: an unreachable database is retried in the background. */
  public void start() {
    listener.start();
  }

  public Future<Void> close() {
    return listener.close();
  }
}
