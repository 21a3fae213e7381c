package dev.temperstore.internal.client;

import dev.temperstore.errors.Unavailable;
import dev.temperstore.feed.subscriptions.MemberLease;
import dev.temperstore.feed.subscriptions.Subscriptions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import java.util.function.Consumer;

/**
 * One consumer group membership held for an application: joins, renews the lease every third of it (so two
 * renewals may be lost before it ends), and leaves. A renewal the store cannot answer now (503) is tried again at
 * the next one; any other refusal (the subscription was deleted, the group is full, the address was taken while
 * the lease had lapsed) ends the membership and is reported to {@code onLost}.
 */
public final class GroupMembership {

  private final Vertx vertx;
  private final Subscriptions subscriptions;
  private final String tenant;
  private final String name;
  private final String member;
  private final String address;
  private final Consumer<Throwable> onLost;
  private long renewTimer = -1;
  private boolean ended;

  public GroupMembership(Vertx vertx, Subscriptions subscriptions, String tenant, String name, String member, String address,
                  Consumer<Throwable> onLost) {
    this.vertx = vertx;
    this.subscriptions = subscriptions;
    this.tenant = tenant;
    this.name = name;
    this.member = member;
    this.address = address;
    this.onLost = onLost;
  }

  /** Joins, then renews until {@link #leave}; a refused first join goes to {@code onLost}. */
  public void join() {
    subscriptions.joinSubscription(tenant, name, member, address).subscribe().with(this::renewEvery, onLost);
  }

  /** Stops renewing and leaves; completes either way (the lease ends by itself should the leave fail). */
  public Uni<Void> leave() {
    synchronized (this) {
      ended = true;
      if (renewTimer != -1) {
        vertx.cancelTimer(renewTimer);
      }
    }
    return subscriptions.leaveSubscription(tenant, name, member).replaceWithVoid()
        .onFailure().recoverWithNull();
  }

  private synchronized void renewEvery(MemberLease lease) {
    if (ended) {
      return;
    }
    long period = Math.max(1, lease.lease().toMillis() / 3);
    renewTimer = vertx.setPeriodic(period, id -> renew());
  }

  private void renew() {
    subscriptions.joinSubscription(tenant, name, member, address).subscribe().with(
        renewed -> { },
        failure -> {
          if (!(failure instanceof Unavailable)) {
            onLost.accept(failure);
          }
        });
  }
}
