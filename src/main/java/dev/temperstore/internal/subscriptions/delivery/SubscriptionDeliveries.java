package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.Feed;
import dev.temperstore.internal.subscriptions.FeedWakeup;
import dev.temperstore.internal.subscriptions.LocalWakeups;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.internal.subscriptions.Claims;
import dev.temperstore.internal.subscriptions.FeedWakeups;
import dev.temperstore.internal.subscriptions.LifecycleChange;
import dev.temperstore.internal.subscriptions.PgSubscriptionStore;
import dev.temperstore.internal.subscriptions.SubscriptionRow;
import dev.temperstore.postgres.DatabaseTarget;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs the deliverers of one store instance. Every {@code claimInterval} it reads the subscriptions in the
 * database, stops the deliverers of those deleted, reset or re-created (releasing their claims), tries to claim
 * the ones nobody here delivers, starts a {@link Deliverer} for each claim it wins, and refreshes the lag gauges.
 * Feed notifications (LISTEN) and appends through this process ({@link LocalWakeups}) wake the caught-up
 * deliverers of the tenants they name ({@link FeedWakeup}). The claims and notification connections are opened only once there is a subscription to claim or
 * deliver. When the claims connection fails, every deliverer stops
 * first, then claims are made afresh on a new connection: delivery never runs without its claim for longer than
 * the failure takes to show.
 *
 * <p>The claim is per subscription, held by the whole instance: a subscription with a consumer group is still
 * delivered by its one claimed deliverer, which shares the streams between the members (see {@link Deliverer}),
 * so its checkpoint stays one position in the feed.
 */
public final class SubscriptionDeliveries {

  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionDeliveries.class);
  /** The most subscriptions one store discovers (over all tenants). */
  static final int MAX_SUBSCRIPTIONS = 10_000;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final Context context;
  private final PgSubscriptionStore store;
  private final Feed feed;
  private final SubscriptionSettings settings;
  private final int readLimit;
  private final MeterRegistry registry;
  private final Claims claims;
  private final FeedWakeups wakeups;
  private final LocalWakeups local;
  private final Map<String, Running> running = new HashMap<>();
  private final String changedAddress;
  private MessageConsumer<Object> changes;
  private MessageConsumer<Object> appended;
  private long tickTimer = -1;
  private boolean ticking;
  /** A change was announced while a round ran: another round follows at once. */
  private boolean tickAgain;
  private boolean listening;
  private boolean closed;

  private record Running(Deliverer deliverer, long key, LagGauges gauges) {
  }

  /**
   * @param target         where the claims and notification connections go (the serving role's)
   * @param readLimit      events per feed page at most
   * @param claimTimeout   bound on each statement of the claims connection
   * @param changedAddress where this process says that a subscription or its members changed (local only)
   * @param local          wakes this instance's deliverers after appends in this process, and learns what it delivers
   */
  public SubscriptionDeliveries(Vertx vertx, Context context, DatabaseTarget target, PgSubscriptionStore store,
                                Feed feed, SubscriptionSettings settings, int readLimit, Duration claimTimeout,
                                MeterRegistry registry, String changedAddress, LocalWakeups local) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.feed = feed;
    this.settings = settings;
    this.readLimit = readLimit;
    this.registry = registry;
    this.claims = new Claims(vertx, target, claimTimeout, () -> onContext(this::stopAllUnclaimed));
    this.wakeups = new FeedWakeups(vertx, target, wakeup -> onContext(() -> wake(wakeup)),
        change -> onContext(() -> hide(change)));
    this.changedAddress = changedAddress;
    this.local = local;
  }

  /** Starts in the background; call on the context. Never fails: the database may come later. */
  public void start() {
    tick();
    tickTimer = vertx.setPeriodic(settings.claimInterval().toMillis(), id -> tick());
    changes = vertx.eventBus().localConsumer(changedAddress, message -> onContext(this::changed));
    appended = local.listen(wakeup -> onContext(() -> wake(wakeup)));
  }

  /** A subscription or its members changed in this process: claim, stop and re-read members now. */
  private void changed() {
    if (closed) {
      return;
    }
    running.values().forEach(each -> each.deliverer().membersChanged());
    if (ticking) {
      tickAgain = true;
    } else {
      tick();
    }
  }

  /** The subscriptions this instance delivers now, as {@code tenant:name}. */
  public Set<String> delivering() {
    return Set.copyOf(running.keySet());
  }

  /** Stops every deliverer (saving its checkpoint), then ends the claims and the notifications. */
  public Future<Void> close() {
    closed = true;
    if (tickTimer != -1) {
      vertx.cancelTimer(tickTimer);
    }
    if (changes != null) {
      changes.unregister();
    }
    if (appended != null) {
      appended.unregister();
    }
    List<Future<Void>> stops = new ArrayList<>();
    for (String id : List.copyOf(running.keySet())) {
      stops.add(stopDeliverer(id));
    }
    return Future.join(stops)
        .transform(ignored -> Future.join(List.of(
            Future.fromCompletionStage(claims.close().subscribeAsCompletionStage()),
            wakeups.close())))
        .otherwiseEmpty()
        .mapEmpty();
  }

  private void tick() {
    if (ticking || closed) {
      return;
    }
    ticking = true;
    // The claims connection is opened only once there is something to claim, and checked while it is open.
    Uni<Void> checked = claims.connected() ? claims.alive() : Uni.createFrom().voidItem();
    checked.chain(() -> store.toDeliver(MAX_SUBSCRIPTIONS))
        .chain(rows -> onContextUni(() -> reconcile(rows)))
        .subscribe().with(
            ignored -> onContext(this::tickDone),
            failure -> onContext(() -> {
              if (!claims.connected()) {
                stopAllUnclaimed();
              }
              LOG.warn("subscriptions: cannot claim or discover ({}); trying again in {} ms", failure.getMessage(),
                  settings.claimInterval().toMillis());
              tickDone();
            }));
  }

  private void tickDone() {
    ticking = false;
    if (tickAgain) {
      tickAgain = false;
      tick();
    }
  }

  /** The claims connection is gone and with it every lock: another store may deliver already, so stop at once. */
  private void stopAllUnclaimed() {
    if (!running.isEmpty()) {
      LOG.warn("subscriptions: claims connection lost, stopping {} deliverers until claimed again", running.size());
      for (String id : List.copyOf(running.keySet())) {
        Running gone = running.remove(id);
        local.stopped(id);
        gone.gauges().remove();
        gone.deliverer().stop();
      }
    }
  }

  private Uni<Void> reconcile(List<SubscriptionRow> rows) {
    if (closed) {
      return Uni.createFrom().voidItem();
    }
    if (rows.size() == MAX_SUBSCRIPTIONS) {
      LOG.warn("subscriptions: {} found, the most one store delivers; others wait", MAX_SUBSCRIPTIONS);
    }
    Map<String, SubscriptionRow> found = new HashMap<>();
    rows.forEach(row -> found.put(row.id(), row));
    List<Uni<Void>> work = new ArrayList<>();
    for (String id : List.copyOf(running.keySet())) {
      SubscriptionRow now = found.get(id);
      // The version changes on every reset and re-creation; the definition never changes otherwise.
      if (now == null || now.version() != running.get(id).deliverer().subscription().version()) {
        work.add(Uni.createFrom().completionStage(() -> release(id).toCompletionStage()));
      }
    }
    if (!work.isEmpty()) {
      tickAgain = true; // a reset or re-created subscription is claimed afresh by the round that follows at once
    }
    Map<Long, SubscriptionRow> candidates = new HashMap<>();
    for (SubscriptionRow row : rows) {
      if (!running.containsKey(row.id())) {
        candidates.put(Claims.key(row.tenant(), row.name()), row);
      }
    }
    Uni<Void> released = work.isEmpty() ? Uni.createFrom().voidItem()
        : Uni.join().all(work).andCollectFailures().replaceWithVoid();
    return released
        .chain(() -> claims.tryClaim(List.copyOf(candidates.keySet())))
        .chain(won -> onContextUni(() -> {
          for (Long key : won) {
            startDeliverer(key, candidates.get(key));
          }
          return refreshLag();
        }));
  }

  private void startDeliverer(long key, SubscriptionRow row) {
    if (closed) {
      return;
    }
    if (!listening) {
      listening = true; // from the first delivery on: a store with no subscription holds no extra connection
      wakeups.start();
    }
    Deliverer deliverer = new Deliverer(vertx, context, row, feed, store, settings, readLimit,
        stale -> onContext(() -> release(row.id())));
    running.put(row.id(), new Running(deliverer, key, new LagGauges(registry, row)));
    local.started(row.id());
    deliverer.start();
  }

  /** Stops a deliverer, then gives up its claim (a reset one is claimed afresh by the next round, at once). */
  private Future<Void> release(String id) {
    Running gone = running.get(id);
    if (gone == null) {
      return Future.succeededFuture();
    }
    return stopDeliverer(id).compose(stopped ->
        Future.fromCompletionStage(claims.release(gone.key()).subscribeAsCompletionStage(), context)
            .otherwiseEmpty());
  }

  private Future<Void> stopDeliverer(String id) {
    Running gone = running.remove(id);
    if (gone == null) {
      return Future.succeededFuture();
    }
    local.stopped(id);
    gone.gauges().remove();
    return gone.deliverer().stop().timeout(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .otherwiseEmpty();
  }

  private Uni<Void> refreshLag() {
    List<Uni<Void>> updates = new ArrayList<>();
    for (Running each : running.values()) {
      each.gauges().members(each.deliverer().members());
      updates.add(store.lag(each.deliverer().subscription(), each.deliverer().acknowledged())
          .invoke(each.gauges()::update)
          .replaceWithVoid()
          .onFailure().recoverWithNull());
    }
    return updates.isEmpty() ? Uni.createFrom().voidItem()
        : Uni.join().all(updates).andCollectFailures().replaceWithVoid();
  }

  /** Wakes the caught-up deliverers of the tenants that {@code wakeup} names. */
  private void wake(FeedWakeup wakeup) {
    for (Running each : running.values()) {
      if (wakeup.concerns(each.deliverer().subscription().tenant())) {
        each.deliverer().wake();
      }
    }
  }

  /**
   * Tells the deliverers of {@code tenant} that {@code subject} was forgotten at {@code since}; from any thread, done
   * on this instance's context.
   */
  public void redact(String tenant, String subject, java.time.Instant since) {
    onContext(() -> {
      for (Running each : running.values()) {
        if (each.deliverer().subscription().tenant().equals(tenant)) {
          each.deliverer().redact(subject, since);
        }
      }
    });
  }

  /** Tells the deliverers of the change's tenant what it no longer serves. */
  private void hide(LifecycleChange change) {
    for (Running each : running.values()) {
      if (each.deliverer().subscription().tenant().equals(change.tenant())) {
        each.deliverer().hide(change);
      }
    }
  }

  private <T> Uni<T> onContextUni(Supplier<Uni<T>> action) {
    return Uni.createFrom().<Uni<T>>emitter(emitter -> onContext(() -> emitter.complete(action.get())))
        .flatMap(uni -> uni);
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }
}
