package dev.temperstore.internal.subscriptions;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.LocalMap;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * Wake-ups of deliverers within one process, and which subscriptions the process delivers. After appends commit,
 * a store wakes its own process's deliverers of the tenants written ({@link FeedWakeup}) over the local event bus;
 * a PostgreSQL notification is needed only when a subscription may be delivered by another process. A {@code NOTIFY}
 * per 5 ms from each store instance, each waking every listener, cost a busy store a tenth of its appends
 * (docs/decisions/0015-in-process-wake-ups.md). Every store instance of a Vert.x that serves the same addresses shares
 * the state (the instance's local shared data). Thread-safe.
 */
public final class LocalWakeups {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final String address;
  private final LocalMap<String, Boolean> delivering;

  /** @param address where this process's deliverers listen ({@code Addresses.FEED_APPENDED} under the prefix) */
  public LocalWakeups(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
    this.delivering = vertx.sharedData().getLocalMap("temper-store.delivering " + address);
  }

  /** Wakes the deliverers of this process that {@code wakeup} concerns. */
  public void wake(FeedWakeup wakeup) {
    vertx.eventBus().publish(address, wakeup.toJson(), LOCAL);
  }

  /** Calls {@code onWake} at each wake-up of this process (on the caller's context). */
  public MessageConsumer<Object> listen(Consumer<FeedWakeup> onWake) {
    return vertx.eventBus().localConsumer(address, message -> onWake.accept(FeedWakeup.fromJson(message.body())));
  }

  /** A deliverer of this process started on the subscription {@code id} ({@code tenant:name}). */
  public void started(String id) {
    delivering.put(id, Boolean.TRUE);
  }

  /** The deliverer of {@code id} in this process stopped. */
  public void stopped(String id) {
    delivering.remove(id);
  }

  /** Whether this process delivers every one of the subscriptions {@code ids}. */
  public boolean deliversAll(Collection<String> ids) {
    for (String id : ids) {
      if (!delivering.containsKey(id)) {
        return false;
      }
    }
    return true;
  }
}
