package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.internal.subscriptions.Lag;
import dev.temperstore.internal.subscriptions.SubscriptionRow;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One delivered subscription's lag as two gauges, tagged tenant and subscription:
 * {@code temper.store.subscription.lag.events} and {@code temper.store.subscription.lag.seconds}, and the live
 * members of its consumer group it delivers to, {@code temper.store.subscription.members}. Only the store that
 * delivers a subscription reports it, so a sum over stores counts each once.
 */
final class LagGauges {

  static final String EVENTS = "temper.store.subscription.lag.events";
  static final String SECONDS = "temper.store.subscription.lag.seconds";
  static final String MEMBERS = "temper.store.subscription.members";

  private final MeterRegistry registry;
  private final Gauge events;
  private final Gauge seconds;
  private final Gauge members;
  private volatile Lag lag = Lag.NONE;
  private volatile int memberCount;

  LagGauges(MeterRegistry registry, SubscriptionRow subscription) {
    this.registry = registry;
    this.events = Gauge.builder(EVENTS, this, gauges -> gauges.lag.events())
        .description("Events a subscription is behind (after its acknowledged position; counted up to 100000)")
        .tag("tenant", subscription.tenant()).tag("subscription", subscription.name())
        .register(registry);
    this.seconds = Gauge.builder(SECONDS, this, gauges -> gauges.lag.seconds())
        .description("Age in seconds of the oldest event a subscription has not had acknowledged")
        .tag("tenant", subscription.tenant()).tag("subscription", subscription.name())
        .register(registry);
    this.members = Gauge.builder(MEMBERS, this, gauges -> gauges.memberCount)
        .description("Live consumer group members a subscription delivers to (0: it delivers to its own address)")
        .tag("tenant", subscription.tenant()).tag("subscription", subscription.name())
        .register(registry);
  }

  void update(Lag value) {
    lag = value;
  }

  void members(int count) {
    memberCount = count;
  }

  void remove() {
    registry.remove(events);
    registry.remove(seconds);
    registry.remove(members);
  }
}
