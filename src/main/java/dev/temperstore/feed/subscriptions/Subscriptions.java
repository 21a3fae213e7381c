package dev.temperstore.feed.subscriptions;

import dev.temperstore.feed.FeedPosition;
import io.smallrye.mutiny.Uni;

import java.util.List;

/**
 * Durable subscriptions to a tenant's feed: the store delivers each event the subscription admits to its
 * address, at least once, in order within each stream, and keeps the checkpoint. Failures are the store's
 * exceptions (the methods say "subscription" so that one client can also be a secret store): {@code InvalidRequest} (400), {@code NotFound} (404), {@code ConcurrencyConflict} (409: the name is
 * taken by another definition, or a member's address by another member), {@code OverBudget} (429: too many
 * subscriptions in the tenant, or members in a subscription).
 */
public interface Subscriptions {

  /** The most events a lag count reads; a subscription further behind shows this many. */
  int LAG_COUNT_CAP = 100_000;
  /** The most subscriptions one list returns (and, by default, one tenant may have). */
  int MAX_LIST = 1000;
  /** The most live members one subscription may have (and has, by default). */
  int MAX_MEMBERS = 100;

  /**
   * Creates the subscription: true when created, false when the very same definition exists already (a retry);
   * a different definition under the name is a 409.
   */
  Uni<Boolean> createSubscription(Subscription subscription);

  /** The tenant's subscriptions by name, each with its checkpoint and lag. */
  Uni<List<SubscriptionStatus>> listSubscriptions(String tenant);

  /** Moves the checkpoint: delivery restarts after {@code position} (back to replay, ahead to skip). 404 if none. */
  Uni<Void> resetSubscription(String tenant, String name, FeedPosition position);

  /** Deletes the subscription; delivery stops. True when there was one. */
  Uni<Boolean> deleteSubscription(String tenant, String name);

  /**
   * Joins {@code member} to the subscription's consumer group, or renews its lease: while the subscription has
   * live members, its streams are shared between them, each stream delivered to one member's {@code address} at a
   * time. 404 when the tenant has no such subscription, 409 when another live member has the address, 429 beyond
   * {@code temper.subscriptions.max-members}.
   */
  Uni<MemberLease> joinSubscription(String tenant, String name, String member, String address);

  /** Ends the membership at once: its streams go to the other members. True when it was a member. */
  Uni<Boolean> leaveSubscription(String tenant, String name, String member);
}
